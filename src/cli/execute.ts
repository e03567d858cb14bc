import type { BaseMessage } from "@langchain/core/messages";
import type { TpoGraph } from "../graph/builder.js";
import type { TpoContext } from "../settings/run-settings.js";
import type { HistoryRecord, TpoStateType } from "../state/state.js";
import { CliRunError } from "./errors.js";
import { TaskTracker, type TaskChunk } from "../graph/task-tracker.js";

export type QueryInput = { query: string } | { messages: BaseMessage[] };

export interface ExecuteOptions {
  context: TpoContext;
  /** With a checkpointer: the thread that holds this query's checkpoints. */
  threadId?: string;
  /** Continue the thread's unfinished run; otherwise the thread starts afresh. */
  resume?: boolean;
  /** Called once per iteration, when its best-so-far is known, with the state at that point. */
  onIteration?: (record: HistoryRecord, state: TpoStateType) => void;
  /** Stops the run (its model requests too). */
  signal?: AbortSignal;
}

/** Where a resumed run picked up: the next node, and the model requests made before. */
export interface ResumePoint {
  next: string;
  modelRequests: number;
}

export interface Execution {
  state: TpoStateType;
  resumedFrom: ResumePoint | null;
}

/** Thrown when a run fails: the node that failed (when known), and the original error. */
export class StepFailedError extends Error {
  constructor(
    readonly step: string | null,
    readonly original: unknown,
  ) {
    super(original instanceof Error ? original.message : String(original));
    this.name = "StepFailedError";
  }
}

async function startingPoint(
  graph: TpoGraph,
  threadId: string,
  resume: boolean,
): Promise<{ done: TpoStateType | null; resumedFrom: ResumePoint | null }> {
  const config = { configurable: { thread_id: threadId } };
  const snapshot = await graph.getState(config);
  const values = snapshot.values as Partial<TpoStateType>;
  const exists = snapshot.createdAt !== undefined;
  if (!exists) return { done: null, resumedFrom: null };
  if (!resume) {
    if (typeof graph.checkpointer === "object") await graph.checkpointer.deleteThread(threadId);
    return { done: null, resumedFrom: null };
  }
  const modelRequests = values.usage?.modelRequests ?? 0;
  if (snapshot.next.length === 0 && values.best) {
    return { done: values as TpoStateType, resumedFrom: { next: "__end__", modelRequests } };
  }
  return { done: null, resumedFrom: { next: snapshot.next.join(",") || "__start__", modelRequests } };
}

/** Runs one query through the graph, resuming its thread's checkpoint when asked to. */
export async function executeQuery(
  graph: TpoGraph,
  input: QueryInput,
  options: ExecuteOptions,
): Promise<Execution> {
  const tracker = new TaskTracker();
  const { threadId } = options;
  let resumedFrom: ResumePoint | null = null;
  if (threadId && graph.checkpointer) {
    const start = await startingPoint(graph, threadId, options.resume ?? false);
    if (start.done) return { state: start.done, resumedFrom: start.resumedFrom };
    resumedFrom = start.resumedFrom;
  }
  const reported = new Set<number>();
  let last: TpoStateType | null = null;
  try {
    // Values (the state after each step) feed onIteration and the answer; tasks name a failed step.
    const stream = await graph.stream(resumedFrom ? null : input, {
      context: options.context,
      configurable: threadId ? { thread_id: threadId } : undefined,
      streamMode: ["values", "tasks"],
      signal: options.signal,
      // A step's checkpoint is saved before the next step starts, so that a process killed
      // mid-query repeats at most the step in flight when it resumes (LangGraph's default saves
      // it while the next step runs, and a kill then loses it).
      ...(threadId ? { durability: "sync" as const } : {}),
    });
    for await (const [mode, chunk] of stream) {
      if (mode === "tasks") {
        tracker.observe(chunk as TaskChunk);
        continue;
      }
      last = chunk as TpoStateType;
      for (const record of last.history ?? []) {
        if (record.bestSoFar === null || reported.has(record.iteration)) continue;
        reported.add(record.iteration);
        options.onIteration?.(record, last);
      }
    }
  } catch (error) {
    throw new StepFailedError(tracker.failedNode(error), error);
  }
  if (!last?.best) throw new CliRunError("The graph ended without an answer.");
  return { state: last, resumedFrom };
}
