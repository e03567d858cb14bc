import { ensureContext } from "../graph/context.js";
import { promptsForRun } from "../graph/context-prompts.js";
import {
  conversationOf,
  nodeTime,
  queryText,
  requireChosen,
  type TpoModels,
  type TpoNode,
} from "../graph/node-kit.js";
import { askCritic } from "./critic-request.js";

/** Textual gradient: the critic turns the critique into suggestions for the chosen response. */
export function makeGradientNode({ critic, prompts }: Pick<TpoModels, "critic" | "prompts">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const ctx = ensureContext(runtime);
    const iteration = state.iteration + 1;
    const { text, usage } = await askCritic(
      critic,
      promptsForRun(prompts, ctx).gradient,
      {
        query: queryText(conversationOf(state)),
        chosen: requireChosen(state, "gradient").text,
        critique: state.critiqueText ?? "",
      },
      { stage: "gradient", iteration, ctx, runtime },
    );
    const nodeUsage = { ...usage, ...nodeTime("gradient", start) };
    return {
      gradientText: text,
      usage: nodeUsage,
      history: [{ iteration, gradient: text, usage: nodeUsage }],
    };
  };
}
