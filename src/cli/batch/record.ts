import type { TpoContext, TpoMode } from "../../settings/run-settings.js";
import type { BestResponse, Candidate, HistoryRecord, StopReason, Usage } from "../../state/state.js";
import type { ResumePoint } from "../../run/index.js";
import type { ChatTurn } from "../../messages/conversation.js";

/** One line of a batch's output: a query's result under one mode, or why it has none. */
export interface BatchRecord {
  id: string;
  /** null for an input line that could not be read. */
  mode: TpoMode | null;
  /** The query as the prompts show it; null when the input line could not be read. */
  query: string | null;
  /** The conversation, when the input gave one. */
  messages?: ChatTurn[];
  settings?: TpoContext;
  /** The models, as settings describe them (never a key). */
  models?: Record<string, string>;
  best?: BestResponse;
  history?: HistoryRecord[];
  pool?: Candidate[];
  /** Everything the query cost, the part before a resume included. */
  usage?: Usage;
  /** Why no further iteration started (a stopping rule, or the depth), and at which iteration. */
  stopReason?: StopReason;
  stoppedAt?: number;
  /** Time this process spent on the query. */
  elapsedMs: number;
  /** Set when the query continued from a checkpoint. */
  resumedFrom?: ResumePoint;
  error?: { message: string; step?: string; source?: string };
  finishedAt: string;
}

export function recordKey(id: string, mode: TpoMode | null): string {
  return `${mode ?? "-"}\u0000${id}`;
}

export function isSuccess(
  record: BatchRecord,
): record is BatchRecord & Required<Pick<BatchRecord, "best" | "history" | "usage" | "settings">> {
  return !record.error && record.best !== undefined && record.history !== undefined;
}

/** The stop reason and iteration of a final state, for a record; nothing when the run did not say. */
export function stopOf(state: {
  stopReason: StopReason | null;
  stoppedAt: number | null;
}): Pick<BatchRecord, "stopReason" | "stoppedAt"> {
  return state.stopReason === null
    ? {}
    : { stopReason: state.stopReason, ...(state.stoppedAt === null ? {} : { stoppedAt: state.stoppedAt }) };
}
