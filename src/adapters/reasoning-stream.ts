import type { TpoContext } from "../settings/run-settings.js";
import type { HistoryRecord, TpoStateType } from "../state/state.js";
import { pushedItems } from "../util/pushed-items.js";
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
  const { items, done } = pushedItems<string, TpoStateType>(
    (push) => {
      push(progressStart(settings));
      return start((record) => push(progressParagraph(record, settings)));
    },
    { rethrow: false }, // failures reach the caller through `state`
  );
  return { reasoning: items, state: done };
}
