import { z } from "zod";
import { TpoContextSchema, type TpoContext, type TpoMode } from "../../settings/run-settings.js";
import {
  BestResponseSchema,
  CandidateSchema,
  HistoryRecordSchema,
  StopReasonSchema,
  UsageSchema,
} from "../../state/record-schemas.js";
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

/** The modes, as the settings schema lists them (the order tables show them in). */
export const MODES: readonly TpoMode[] = TpoContextSchema.shape.mode.unwrap().options;

const MODE = z.enum(["tpo", "revision", "bon"]);

/**
 * A record's settings: the fields the commands read are checked, the rest kept as they are (a
 * record of an older or newer version may have other run settings).
 */
const RecordSettingsSchema = z.looseObject({
  width: z.number().int().min(1),
  depth: z.number().int().min(0),
  mode: MODE,
  systemPrompt: z.string().optional(),
}) as unknown as z.ZodType<TpoContext>;

/** What `tpo batch` writes, checked where a command reads it back (`tpo report`, `compare`, `export`, `batch --resume`). */
export const BatchRecordSchema = z.object({
  id: z.string(),
  mode: MODE.nullable(),
  query: z.string().nullable(),
  messages: z.array(z.object({ role: z.string(), content: z.string() })).optional(),
  settings: RecordSettingsSchema.optional(),
  models: z.record(z.string(), z.string()).optional(),
  best: BestResponseSchema.optional(),
  history: z.array(HistoryRecordSchema).optional(),
  pool: z.array(CandidateSchema).optional(),
  usage: UsageSchema.optional(),
  stopReason: StopReasonSchema.optional(),
  stoppedAt: z.number().int().min(0).optional(),
  elapsedMs: z.number(),
  resumedFrom: z.object({ next: z.string(), modelRequests: z.number() }).optional(),
  error: z
    .object({ message: z.string(), step: z.string().optional(), source: z.string().optional() })
    .optional(),
  finishedAt: z.string(),
});

// The schema checks what the interface declares: a field added to one only fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type BatchRecordSchemaMatches = Assert<Same<z.output<typeof BatchRecordSchema>, BatchRecord>>;

export function recordKey(id: string, mode: TpoMode | null): string {
  return `${mode ?? "-"}\u0000${id}`;
}

/** The policy's short name in the files we hand to leaderboards: its model's last path segment, `tpo-sim` in the simulated world. */
export function policyNameOf(models: Record<string, string> | undefined): string {
  return models?.backend === "sim" ? "tpo-sim" : (models?.model?.split("/").at(-1) ?? "model");
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
