import { SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { TpoError } from "../errors.js";
import { ensureContext } from "../settings/run-settings.js";
import { conversationOf } from "../messages/conversation.js";
import { stageConfig } from "./stage-config.js";
import { samplingOf } from "../settings/step-sampling.js";
import { type TpoNodeDeps, type TpoNode } from "./contract.js";
import { sampleResponses } from "../models/chat/sample-responses.js";
import { newCandidates } from "./candidates.js";

/**
 * What the policy is shown: the conversation, after the run's system prompt when one is set and
 * the conversation has no system message of its own. The reward model never sees it.
 */
export function policyMessages(conversation: BaseMessage[], systemPrompt: string | undefined): BaseMessage[] {
  if (systemPrompt === undefined || SystemMessage.isInstance(conversation[0])) return conversation;
  return [new SystemMessage(systemPrompt), ...conversation];
}

/**
 * Samples N responses from the policy: the candidates of iteration 0. (The graph starts the fresh
 * optimisation around it: a thread that is run again gets a new pool, history and usage.)
 */
export function makeGenerateNode({
  policy,
  modelCache,
}: Pick<TpoNodeDeps, "policy" | "modelCache">): TpoNode {
  return async (state, runtime) => {
    const ctx = ensureContext(runtime);
    const conversation = conversationOf(state);
    const sample = await sampleResponses(
      policy,
      policyMessages(conversation, ctx.systemPrompt),
      ctx.width,
      samplingOf(ctx, 0),
      ctx.sampling,
      stageConfig(runtime, "generate", 0, ctx, conversation),
      { cache: modelCache?.policy },
    );
    const { candidates, failures } = newCandidates(sample.texts, [], 0, "sample");
    if (candidates.length === 0) {
      throw new TpoError(
        `The policy returned no usable response: all ${sample.texts.length} samples were empty.`,
      );
    }
    return {
      pool: candidates,
      usage: sample.usage,
      history: [{ iteration: 0, failures, sampling: sample.method }],
    };
  };
}
