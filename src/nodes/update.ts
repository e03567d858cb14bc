import { ensureContext } from "../graph/context.js";
import { promptsForRun } from "../graph/context-prompts.js";
import {
  conversationOf,
  nodeTime,
  promptMessages,
  queryText,
  requireChosen,
  samplingOf,
  stageConfig,
  type TpoModels,
  type TpoNode,
} from "../graph/node-kit.js";
import { sampleResponses } from "../models/sampling.js";
import { extractTaggedResponse } from "../prompts/index.js";
import { newCandidates } from "./candidates.js";

/**
 * Variable update: the critic writes N improved versions of the chosen response. An output
 * without the response tags is taken whole (a format fallback); an empty one gives nothing.
 */
export function makeUpdateNode({ critic, prompts }: Pick<TpoModels, "critic" | "prompts">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const ctx = ensureContext(runtime);
    const active = promptsForRun(prompts, ctx);
    const iteration = state.iteration + 1;
    const messages = promptMessages(active.update, {
      query: queryText(conversationOf(state)),
      chosen: requireChosen(state, "update").text,
      critique: state.critiqueText ?? "",
      gradient: state.gradientText ?? "",
    });
    const sample = await sampleResponses(
      critic,
      messages,
      ctx.width,
      samplingOf(ctx, iteration),
      ctx.sampling,
      stageConfig(runtime, "update", iteration, ctx),
      // Some rewrites are enough to go on: the missing ones are recorded as failures.
      { tolerateFailures: true },
    );
    let formatFallbacks = 0;
    const texts = sample.texts.map((output) => {
      const tagged = extractTaggedResponse(output);
      if (tagged !== null) return tagged;
      if (output.trim()) formatFallbacks++;
      return output;
    });
    const { candidates, failures } = newCandidates(texts, state.pool, iteration, "update");
    const usage = { ...sample.usage, ...nodeTime("update", start) };
    return {
      pool: candidates,
      iteration,
      usage,
      history: [
        {
          iteration,
          candidates: candidates.length,
          formatFallbacks,
          failures: failures + (ctx.width - sample.texts.length),
          sampling: sample.method,
          usage,
        },
      ],
    };
  };
}
