import { TpoError } from "../errors.js";
import type { TpoContext } from "../settings/run-settings.js";
import type { StopReason, TpoStateType } from "../state/state.js";

/** What a run cost: requests, tokens and time. */
export interface TpoRunCost {
  modelRequests: number;
  rewardRequests: number;
  promptTokens: number;
  completionTokens: number;
  /** The part of promptTokens the servers read from their prefix cache (0 when they do not say). */
  cachedPromptTokens: number;
  /** US dollars at the prices the models were given; absent without prices. */
  costUsd?: number;
  elapsedMs: number;
}

/**
 * A finished run in a few fields, for a caller that wants the answer and whether it paid off (an
 * agent's tool call): the answer, its score, where it came from, why the run stopped, the first
 * sample's score (what one plain answer of the policy scored) and the cost.
 */
export interface TpoRunSummary {
  answer: string;
  /** The reward model's score of the answer. */
  score: number;
  /** The iteration the answer was born in: 0 for a first sample, k for the k-th update. */
  iteration: number;
  /** Iterations run after the first sampling. */
  iterations: number;
  /** Why no further iteration started: depth, target, patience or budget; null when the run did not say. */
  stopReason: StopReason | null;
  /** The iteration the run stopped at; null when the run did not say. */
  stoppedAt: number | null;
  /** The score of the policy's first sample: what one answer without TPO scored; null if it has none. */
  firstSampleScore: number | null;
  settings: Pick<TpoContext, "width" | "depth" | "mode">;
  cost: TpoRunCost;
}

/** The summary of a finished run's final state; `elapsedMs` is the time the caller measured. */
export function summarizeRun(state: TpoStateType, context: TpoContext, elapsedMs: number): TpoRunSummary {
  if (!state.best) throw new TpoError("The TPO run ended without a best response.");
  const firstSample = state.pool.find((c) => c.iteration === 0 && c.origin === "sample");
  const { usage } = state;
  return {
    answer: state.best.text,
    score: state.best.score,
    iteration: state.best.iteration,
    iterations: Math.max(0, ...state.history.map((r) => r.iteration)),
    stopReason: state.stopReason,
    stoppedAt: state.stoppedAt,
    firstSampleScore: firstSample?.score ?? null,
    settings: { width: context.width, depth: context.depth, mode: context.mode },
    cost: {
      modelRequests: usage.modelRequests,
      rewardRequests: usage.rewardRequests,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      cachedPromptTokens: usage.cachedPromptTokens ?? 0,
      ...(usage.costUsd !== undefined && { costUsd: usage.costUsd }),
      elapsedMs: Math.round(elapsedMs),
    },
  };
}
