import { ensureContext } from "../settings/run-settings.js";
import { conversationOf } from "../messages/conversation.js";
import { criticMessages } from "./critic-prompt.js";
import { stageConfig } from "./stage-config.js";
import { samplingOf } from "../settings/step-sampling.js";
import { type TpoNodeDeps, type TpoNode } from "./contract.js";
import type { TpoContext } from "../settings/run-settings.js";
import { sampleResponses } from "../models/chat/sample-responses.js";
import { extractTaggedResponse } from "../prompts/index.js";
import { newCandidates } from "./candidates.js";

/**
 * The responses in the critic's update outputs. An output without the response tags is not a
 * response (a critique, a preamble): it is dropped, or with `untaggedRewrites: "keep"` taken whole.
 * Either way it is counted as untagged. Empty outputs are left to count as failures.
 */
export function responsesOfRewrites(
  outputs: string[],
  policy: TpoContext["untaggedRewrites"],
): { texts: string[]; untagged: number } {
  const texts: string[] = [];
  let untagged = 0;
  for (const output of outputs) {
    const tagged = extractTaggedResponse(output);
    if (tagged !== null || !output.trim()) {
      texts.push(tagged ?? "");
      continue;
    }
    untagged++;
    if (policy === "keep") texts.push(output);
  }
  return { texts, untagged };
}

/**
 * Variable update: the critic writes N improved versions of the chosen response, seeing the query,
 * the chosen response, the rejected one (mode `tpo`), the critique and the suggestions.
 */
export function makeUpdateNode({
  critic,
  prompts,
  modelCache,
}: Pick<TpoNodeDeps, "critic" | "prompts" | "modelCache">): TpoNode {
  return async (state, runtime) => {
    const ctx = ensureContext(runtime);
    const iteration = state.iteration + 1;
    const messages = criticMessages(state, ctx, prompts, "update");
    const sample = await sampleResponses(
      critic,
      messages,
      ctx.width,
      samplingOf(ctx, iteration),
      ctx.sampling,
      stageConfig(runtime, "update", iteration, ctx, conversationOf(state)),
      // Some rewrites are enough to go on: the missing ones are recorded as failures.
      { tolerateFailures: true, cache: modelCache?.critic },
    );
    const { texts, untagged } = responsesOfRewrites(sample.texts, ctx.untaggedRewrites);
    const { candidates, failures } = newCandidates(texts, state.pool, iteration, "update");
    return {
      pool: candidates,
      usage: sample.usage,
      history: [
        {
          iteration,
          untagged,
          failures: failures + (ctx.width - sample.texts.length),
          sampling: sample.method,
        },
      ],
    };
  };
}
