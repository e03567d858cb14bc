import { ensureContext } from "../settings/run-settings.js";
import { conversationOf } from "../messages/conversation.js";
import { stageConfig } from "./stage-config.js";
import { type TpoNodeDeps, type TpoNode } from "./contract.js";
import { awaitsJudgement } from "../state/state.js";
import { scoreChecked } from "../models/reward/reward-model.js";
import { countReplicaUsage } from "../models/pool/replica-usage.js";

/**
 * Scores every candidate that has no score yet, in one call; scores are kept for good. The usage
 * counts the reward model's own request count (batches or single requests), else one per call.
 */
export function makeRewardNode({ rewardModel }: Pick<TpoNodeDeps, "rewardModel">): TpoNode {
  return async (state, runtime) => {
    const unscored = state.pool.filter(awaitsJudgement);
    if (unscored.length === 0) return {};
    const ctx = ensureContext(runtime);
    const conversation = conversationOf(state);
    const { value: scores, replicas } = await countReplicaUsage(() =>
      scoreChecked(
        rewardModel,
        unscored.map((c) => ({ messages: conversation, response: c.text })),
        stageConfig(runtime, "reward", state.iteration, ctx, conversation),
      ),
    );
    return {
      pool: unscored.map((c, i) => ({ ...c, score: scores[i] })),
      usage: {
        rewardRequests: rewardModel.requestCount?.(unscored.length) ?? 1,
        ...(replicas ? { replicas } : {}),
      },
    };
  };
}
