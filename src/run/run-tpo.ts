import type { BaseMessage } from "@langchain/core/messages";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { Overwrite } from "@langchain/langgraph";
import { TpoError, TpoStepError } from "../errors.js";
import type { TpoGraph } from "../graph/builder.js";
import type { TpoContext } from "../settings/run-settings.js";
import { isTpoEvent } from "../state/events.js";
import type { TpoStateType, TpoUpdate } from "../state/state.js";
import type { RunEvent, TpoRunResult } from "./events.js";
import { FailedStepTracker, isTaskEnd, type TaskChunk } from "./failed-step.js";
import { IterationWatch } from "./iteration-watch.js";
import { startingPoint, type ResumePoint } from "./resume-point.js";
import { pushedItems } from "../util/pushed-items.js";

export type TpoRunInput = { query: string } | { messages: BaseMessage[] };

export interface TpoRunOptions {
  /** The run settings, parsed (`parseTpoContext`). */
  context: TpoContext;
  /** Stops the run and its model requests. */
  signal?: AbortSignal;
  /** With a checkpointer on the graph: the thread that holds this query's checkpoints. */
  threadId?: string;
  /** Continue the thread's unfinished run; otherwise the thread starts afresh. */
  resume?: boolean;
  /** Passed on to the nodes as `runtime.configurable` (a replaced node's own inputs); thread_id is set by `threadId`. */
  configurable?: Record<string, unknown>;
  /** Passed on to LangGraph, for tracing. */
  callbacks?: Callbacks;
  tags?: string[];
  metadata?: Record<string, unknown>;
  runName?: string;
  /** The id of the run's root, for tracing: a caller that attaches feedback to the trace knows it before the run starts. */
  runId?: string;
}

/** A run under way: iterate it for its events; `result` settles when it ends, iterated or not. */
export interface TpoRun extends AsyncIterable<RunEvent> {
  readonly result: Promise<TpoRunResult>;
}

/** The values of an update, without the Overwrite wrappers that replace a channel's value. */
function plainUpdate(raw: unknown): TpoUpdate {
  const update: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    update[key] = Overwrite.isInstance(value) ? value.value : value;
  }
  return update as TpoUpdate;
}

/** Drives one run of the graph, handing each event to `emit` in order. */
async function drive(
  graph: TpoGraph,
  input: TpoRunInput,
  options: TpoRunOptions,
  emit: (event: RunEvent) => void,
): Promise<TpoRunResult> {
  const { threadId } = options;
  let resumedFrom: ResumePoint | null = null;
  if (threadId && graph.checkpointer) {
    const start = await startingPoint(graph, threadId, options.resume ?? false);
    resumedFrom = start.resumedFrom;
    if (resumedFrom) emit({ type: "tpo.run.resumed", from: resumedFrom });
    if (start.done) {
      const result = { state: start.done, resumedFrom };
      emit({ type: "tpo.run.done", result });
      return result;
    }
  }
  const tracker = new FailedStepTracker();
  const watch = new IterationWatch();
  let last: TpoStateType | null = null;
  try {
    const stream = await graph.stream(resumedFrom ? null : input, {
      context: options.context,
      configurable: threadId ? { ...options.configurable, thread_id: threadId } : options.configurable,
      streamMode: ["custom", "tasks", "values"],
      signal: options.signal,
      // A step's checkpoint is saved before the next step starts, so that a process killed
      // mid-query repeats at most the step in flight when it resumes (LangGraph's default saves
      // it while the next step runs, and a kill then loses it).
      ...(threadId ? { durability: "sync" as const } : {}),
      callbacks: options.callbacks,
      tags: options.tags,
      metadata: options.metadata,
      runName: options.runName,
      runId: options.runId,
    });
    for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === "custom") {
        if (isTpoEvent(chunk)) emit(chunk);
      } else if (mode === "tasks") {
        const task = chunk as TaskChunk;
        tracker.observe(task);
        if (isTaskEnd(task) && !task.error) {
          emit({ type: "tpo.node.finished", node: task.name, update: plainUpdate(task.result) });
        }
      } else {
        last = chunk as TpoStateType;
        for (const record of watch.newlyFinished(last.history)) {
          emit({ type: "tpo.iteration.recorded", record, state: last });
        }
      }
    }
  } catch (error) {
    throw new TpoStepError(tracker.failedNode(error), error);
  }
  if (!last?.best) throw new TpoError("The graph ended without an answer.");
  const result = { state: last, resumedFrom };
  emit({ type: "tpo.run.done", result });
  return result;
}

/**
 * Runs one query through the graph (resuming its thread's checkpoint when asked to) and reports
 * its progress as typed events: the one way every front end runs a query. A failed run rejects
 * `result`, and throws from the iteration, with a TpoStepError naming the step.
 */
export function runTpo(graph: TpoGraph, input: TpoRunInput, options: TpoRunOptions): TpoRun {
  const { items, done } = pushedItems<RunEvent, TpoRunResult>(
    (emit) => drive(graph, input, options, emit),
    { rethrow: true }, // the run's failure ends the iteration too
  );
  return { result: done, [Symbol.asyncIterator]: () => items };
}

/** Runs one query to its end, handing each event to `onEvent` as it comes. */
export function runTpoToEnd(
  graph: TpoGraph,
  input: TpoRunInput,
  options: TpoRunOptions & { onEvent?: (event: RunEvent) => void },
): Promise<TpoRunResult> {
  const { onEvent } = options;
  return drive(graph, input, options, onEvent ?? (() => {}));
}
