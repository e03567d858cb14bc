import { ensureContext } from "../graph/context.js";
import { promptsForRun } from "../graph/context-prompts.js";
import {
  candidateById,
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

/**
 * Textual loss: the critic explains why the chosen response beats the rejected one. In mode
 * `revision`, or while there is no rejected response, it judges the chosen response alone.
 */
export function makeCritiqueNode({ critic, prompts }: Pick<TpoModels, "critic" | "prompts">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const ctx = ensureContext(runtime);
    const active = promptsForRun(prompts, ctx);
    const iteration = state.iteration + 1;
    const chosen = requireChosen(state, "critique");
    const rejected = ctx.mode === "tpo" ? candidateById(state, state.rejected) : null;
    const messages = promptMessages(rejected ? active.critique : active.revisionCritique, {
      query: queryText(conversationOf(state)),
      chosen: chosen.text,
      rejected: rejected?.text ?? "",
    });
    const { text, usage } = await completeOnce(
      critic,
      messages,
      { temperature: ctx.criticTemperature, maxTokens: ctx.criticMaxTokens, seed: ctx.seed },
      stageConfig(runtime, "critique", iteration, ctx),
    );
    const nodeUsage = { ...usage, ...nodeTime("critique", start) };
    return {
      critiqueText: text,
      usage: nodeUsage,
      history: [{ iteration, critique: text, usage: nodeUsage }],
    };
  };
}
