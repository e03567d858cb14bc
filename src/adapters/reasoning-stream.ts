import type { RunnableConfig } from "@langchain/core/runnables";
import type { TpoGraph } from "../graph/builder.js";
import type { TpoContext } from "../settings/run-settings.js";
import type { HistoryRecord, TpoStateType } from "../state/state.js";
import { IterationWatch, progressParagraph, progressStart } from "./progress-reasoning.js";

type GraphInput = Parameters<TpoGraph["invoke"]>[0];

/**
 * `graph.invoke`, or, with `onIteration`, the same run streamed as values so that each iteration
 * is reported as it finishes. The final state is the same either way.
 */
export async function invokeWatching(
  graph: TpoGraph,
  input: GraphInput,
  config: RunnableConfig & { context?: unknown },
  onIteration?: (record: HistoryRecord) => void,
): Promise<TpoStateType> {
  if (!onIteration) return (await graph.invoke(input, config as never)) as TpoStateType;
  const watch = new IterationWatch();
  let last: TpoStateType | undefined;
  const stream = await graph.stream(input, { ...(config as object), streamMode: "values" } as never);
  for await (const chunk of stream as AsyncIterable<TpoStateType>) {
    last = chunk;
    for (const record of watch.newlyFinished(chunk.history)) onIteration(record);
  }
  return last as TpoStateType;
}

export interface ReasoningRun {
  /** The paragraphs of reasoning, as the run makes progress; it ends when the run does. */
  reasoning: AsyncIterable<string>;
  /** The run's final state; rejects when the run fails. */
  state: Promise<TpoStateType>;
}

/**
 * Starts a run and turns its iterations into paragraphs of reasoning, delivered as they come:
 * a first paragraph at once (what the run will do), then one per finished iteration.
 */
export function reasoningStream(
  settings: TpoContext,
  start: (onIteration: (record: HistoryRecord) => void) => Promise<TpoStateType>,
): ReasoningRun {
  const queue: string[] = [progressStart(settings)];
  let settled = false;
  let wake: (() => void) | undefined;
  const state = start((record) => {
    queue.push(progressParagraph(record, settings));
    wake?.();
  });
  const settle = () => {
    settled = true;
    wake?.();
  };
  state.then(settle, settle); // failures reach the caller through `state`
  async function* reasoning(): AsyncGenerator<string> {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (settled) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  return { reasoning: reasoning(), state };
}
