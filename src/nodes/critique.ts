import { ensureContext } from "../graph/context.js";
import { criticPrompt, nodeTime, type TpoModels, type TpoNode } from "../graph/node-kit.js";
import { askCritic } from "./critic-request.js";

/**
 * Textual loss: the critic explains why the chosen response beats the rejected one. In mode
 * `revision`, or while there is no rejected response, it judges the chosen response alone.
 */
export function makeCritiqueNode({ critic, prompts }: Pick<TpoModels, "critic" | "prompts">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const ctx = ensureContext(runtime);
    const iteration = state.iteration + 1;
    const { template, values } = criticPrompt(state, ctx, prompts, "critique");
    const { text, usage } = await askCritic(critic, template, values, {
      stage: "critique",
      iteration,
      ctx,
      runtime,
    });
    const nodeUsage = { ...usage, ...nodeTime("critique", start) };
    return {
      critiqueText: text,
      usage: nodeUsage,
      history: [{ iteration, critique: text, usage: nodeUsage }],
    };
  };
}
