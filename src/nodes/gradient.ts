import { ensureContext } from "../graph/context.js";
import { criticPrompt, nodeTime, type TpoModels, type TpoNode } from "../graph/node-kit.js";
import { askCritic } from "./critic-request.js";

/**
 * Textual gradient: the critic turns the critique into suggestions for the chosen response. In
 * mode `tpo` it sees the rejected response too; in mode `revision` the chosen one alone.
 */
export function makeGradientNode({ critic, prompts }: Pick<TpoModels, "critic" | "prompts">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const ctx = ensureContext(runtime);
    const iteration = state.iteration + 1;
    const { template, values } = criticPrompt(state, ctx, prompts, "gradient");
    const { text, usage } = await askCritic(critic, template, values, {
      stage: "gradient",
      iteration,
      ctx,
      runtime,
    });
    const nodeUsage = { ...usage, ...nodeTime("gradient", start) };
    return {
      gradientText: text,
      usage: nodeUsage,
      history: [{ iteration, gradient: text, usage: nodeUsage }],
    };
  };
}
