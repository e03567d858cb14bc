import { ensureContext } from "../graph/context.js";
import { promptsForRun } from "../graph/context-prompts.js";
import {
  conversationOf,
  nodeTime,
  promptMessages,
  queryText,
  requireChosen,
  stageConfig,
  type TpoModels,
  type TpoNode,
} from "../graph/node-kit.js";
import { completeOnce } from "../models/sampling.js";

/** Textual gradient: the critic turns the critique into suggestions for the chosen response. */
export function makeGradientNode({ critic, prompts }: Pick<TpoModels, "critic" | "prompts">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const ctx = ensureContext(runtime);
    const active = promptsForRun(prompts, ctx);
    const iteration = state.iteration + 1;
    const messages = promptMessages(active.gradient, {
      query: queryText(conversationOf(state)),
      chosen: requireChosen(state, "gradient").text,
      critique: state.critiqueText ?? "",
    });
    const { text, usage } = await completeOnce(
      critic,
      messages,
      { temperature: ctx.criticTemperature, maxTokens: ctx.criticMaxTokens, seed: ctx.seed },
      stageConfig(runtime, "gradient", iteration, ctx),
    );
    const nodeUsage = { ...usage, ...nodeTime("gradient", start) };
    return {
      gradientText: text,
      usage: nodeUsage,
      history: [{ iteration, gradient: text, usage: nodeUsage }],
    };
  };
}
