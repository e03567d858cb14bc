import type { TpoContext } from "../settings/run-settings.js";
import type { HistoryRecord, TpoStateType } from "../state/state.js";
import { progressParagraph, progressStart } from "./progress-reasoning.js";

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
