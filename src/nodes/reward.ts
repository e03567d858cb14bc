import { ensureContext } from "../settings/run-settings.js";
import { conversationOf } from "../messages/conversation.js";
import { stageConfig } from "./stage-config.js";
import { type TpoNodeDeps, type TpoNode } from "./contract.js";
import { awaitsJudgement } from "../state/state.js";
import { scoreWithCache } from "../models/reward/score-cache.js";
import { countReplicaUsage } from "../models/pool/replica-usage.js";

/**
 * Scores every candidate that has no score yet, in one call; scores are kept for good. The usage
 * counts the reward model's own request count (batches or single requests), else one per call.
 */
export function makeRewardNode({
  rewardModel,
  modelCache,
}: Pick<TpoNodeDeps, "rewardModel" | "modelCache">): TpoNode {
  return async (state, runtime) => {
    const unscored = state.pool.filter(awaitsJudgement);
    if (unscored.length === 0) return {};
    const ctx = ensureContext(runtime);
    const conversation = conversationOf(state);
    const { value, replicas } = await countReplicaUsage(() =>
      scoreWithCache(
        rewardModel,
        modelCache?.reward,
        unscored.map((c) => ({ messages: conversation, response: c.text })),
        stageConfig(runtime, "reward", state.iteration, ctx, conversation),
      ),
    );
    // What scoring them takes, cached scores included (see sumUsage in sample-responses.ts).
    const requests = (items: number) => (items === 0 ? 0 : (rewardModel.requestCount?.(items) ?? 1));
    const saved = requests(unscored.length) - requests(value.scored);
    return {
      pool: unscored.map((c, i) => ({ ...c, score: value.scores[i] })),
      usage: {
        rewardRequests: requests(unscored.length),
        ...(value.scored < unscored.length ? { fromCache: { rewardRequests: saved } } : {}),
        ...(replicas ? { replicas } : {}),
      },
    };
  };
}
