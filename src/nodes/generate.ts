import { SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { Overwrite } from "@langchain/langgraph";
import { TpoError } from "../errors.js";
import { ensureContext } from "../graph/context.js";
import {
  conversationOf,
  nodeTime,
  samplingOf,
  stageConfig,
  type TpoModels,
  type TpoNode,
} from "../graph/node-kit.js";
import { emptyUsage, mergeHistory, type TpoUpdate } from "../graph/state.js";
import { sampleResponses } from "../models/sampling.js";
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
 * Samples N responses from the policy. It starts a fresh optimisation: a thread that is run again
 * (a new user turn) gets a new pool and history rather than the previous turn's.
 */
export function makeGenerateNode({ policy }: Pick<TpoModels, "policy">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const ctx = ensureContext(runtime);
    const conversation = conversationOf(state);
    const sample = await sampleResponses(
      policy,
      policyMessages(conversation, ctx.systemPrompt),
      ctx.width,
      samplingOf(ctx, 0),
      ctx.sampling,
      stageConfig(runtime, "generate", 0, ctx),
    );
    const { candidates, failures } = newCandidates(sample.texts, [], 0, "sample");
    if (candidates.length === 0) {
      throw new TpoError(
        `The policy returned no usable response: all ${sample.texts.length} samples were empty.`,
      );
    }
    const usage = { ...sample.usage, ...nodeTime("generate", start) };
    const record = { iteration: 0, candidates: candidates.length, failures, sampling: sample.method, usage };
    const update: TpoUpdate = {
      query: "",
      pool: new Overwrite(candidates),
      iteration: 0,
      chosen: null,
      rejected: null,
      critiqueText: null,
      gradientText: null,
      best: null,
      history: new Overwrite(mergeHistory([], [record])),
      usage: new Overwrite({ ...emptyUsage(), ...usage }),
    };
    if (state.query.trim()) update.messages = [conversation[conversation.length - 1]];
    return update;
  };
}
