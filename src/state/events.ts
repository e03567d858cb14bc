import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { TpoMode } from "../settings/run-settings.js";
import type { BestResponse, StopReason } from "./state.js";

/**
 * Progress events, written to LangGraph's custom stream (`streamMode: "custom"`). Iteration 0 is
 * the first sampling; iteration k (k >= 1) is the k-th critique-gradient-update step.
 */
export interface IterationStartedEvent {
  type: "tpo.iteration.started";
  iteration: number;
  mode: TpoMode;
  width: number;
  depth: number;
  /** The pair the iteration starts from (ids); null for iteration 0 and when there is none. */
  chosen: string | null;
  rejected: string | null;
}

export interface CandidatesScoredEvent {
  type: "tpo.candidates.scored";
  iteration: number;
  /** The candidates judged in this step; score null: judged without a score (a human's pick). */
  scores: { id: string; score: number | null }[];
}

export interface IterationFinishedEvent {
  type: "tpo.iteration.finished";
  iteration: number;
  /** The best candidate of the whole pool once this iteration was scored. */
  bestId: string;
  bestSoFar: number;
}

/** No further iteration starts: why, and at which iteration (0: right after the first sampling). */
export interface RunStoppedEvent {
  type: "tpo.run.stopped";
  reason: StopReason;
  iteration: number;
  /** The best score in the pool when the run stopped; null when nothing was scored. */
  bestSoFar: number | null;
}

export interface RunFinishedEvent {
  type: "tpo.run.finished";
  best: BestResponse;
  /** Iterations run after the first sampling (the depth reached). */
  iterations: number;
}

export type TpoEvent =
  IterationStartedEvent | CandidatesScoredEvent | IterationFinishedEvent | RunStoppedEvent | RunFinishedEvent;

export type TpoEventType = TpoEvent["type"];

export const TPO_EVENT_TYPES: readonly TpoEventType[] = [
  "tpo.iteration.started",
  "tpo.candidates.scored",
  "tpo.iteration.finished",
  "tpo.run.stopped",
  "tpo.run.finished",
];

/** Whether a custom stream chunk is one of the TPO progress events. */
export function isTpoEvent(chunk: unknown): chunk is TpoEvent {
  return (
    typeof chunk === "object" &&
    chunk !== null &&
    TPO_EVENT_TYPES.includes((chunk as { type?: unknown }).type as TpoEventType)
  );
}

/** Writes an event to the custom stream; a no-op when the run does not stream custom events. */
export function emit(runtime: Pick<LangGraphRunnableConfig, "writer"> | undefined, event: TpoEvent): void {
  runtime?.writer?.(event);
}
