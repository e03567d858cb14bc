import type { TpoEvent } from "../state/events.js";
import type { HistoryRecord, TpoStateType, TpoUpdate } from "../state/state.js";
import type { ResumePoint } from "./resume-point.js";

/** A query's thread picked up where its checkpoints left off; first event of a resumed run. */
export interface RunResumedEvent {
  type: "tpo.run.resumed";
  from: ResumePoint;
}

/** A node finished: its state update, with LangGraph's Overwrite wrappers taken off. */
export interface NodeFinishedEvent {
  type: "tpo.node.finished";
  node: string;
  update: TpoUpdate;
}

/** An iteration's record is complete (its best-so-far known); `state` is the graph's state then. */
export interface IterationRecordedEvent {
  type: "tpo.iteration.recorded";
  record: HistoryRecord;
  state: TpoStateType;
}

/** The last event of a run that ended with an answer. */
export interface RunDoneEvent {
  type: "tpo.run.done";
  result: TpoRunResult;
}

/** Everything a run reports, in order: the graph's own progress events and the run layer's. */
export type RunEvent = TpoEvent | RunResumedEvent | NodeFinishedEvent | IterationRecordedEvent | RunDoneEvent;

export interface TpoRunResult {
  /** The final state: pool, history, usage and the answer (`best`). */
  state: TpoStateType;
  /** Where a resumed thread picked up; null for a fresh run. */
  resumedFrom: ResumePoint | null;
}

/** An event handler that hears only of finished iterations: `onEvent: whenIterationRecorded(…)`. */
export function whenIterationRecorded(
  handler: ((record: HistoryRecord, state: TpoStateType) => void) | undefined,
): ((event: RunEvent) => void) | undefined {
  if (!handler) return undefined;
  return (event) => {
    if (event.type === "tpo.iteration.recorded") handler(event.record, event.state);
  };
}
