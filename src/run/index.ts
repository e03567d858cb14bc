export { runTpo, runTpoToEnd } from "./run-tpo.js";
export type { TpoRun, TpoRunInput, TpoRunOptions } from "./run-tpo.js";
export { whenIterationRecorded } from "./events.js";
export type {
  RunEvent,
  RunResumedEvent,
  NodeFinishedEvent,
  IterationRecordedEvent,
  RunDoneEvent,
  TpoRunResult,
} from "./events.js";
export type { ResumePoint } from "./resume-point.js";
