import { ensureContext } from "../state/settings.js";
import { conversationOf } from "../state/conversation.js";
import { nodeTime, stageConfig } from "./run-config.js";
import { type TpoNodeDeps, type TpoNode } from "./contract.js";
import { awaitsJudgement, type ScoreStats } from "../state/state.js";
import { scoreChecked } from "../models/reward.js";

export function scoreStats(scores: number[]): ScoreStats | null {
  if (scores.length === 0) return null;
  return {
    min: Math.min(...scores),
    mean: scores.reduce((sum, s) => sum + s, 0) / scores.length,
    max: Math.max(...scores),
  };
}

/**
 * Scores every candidate that has no score yet, in one call; scores are kept for good. The usage
 * counts the reward model's own request count (batches or single requests), else one per call.
 */
export function makeRewardNode({ rewardModel }: Pick<TpoNodeDeps, "rewardModel">): TpoNode {
  return async (state, runtime) => {
    const start = performance.now();
    const unscored = state.pool.filter(awaitsJudgement);
    if (unscored.length === 0) return {};
    const ctx = ensureContext(runtime);
    const conversation = conversationOf(state);
    const scores = await scoreChecked(
      rewardModel,
      unscored.map((c) => ({ messages: conversation, response: c.text })),
      stageConfig(runtime, "reward", state.iteration, ctx),
    );
    const scored = unscored.map((c, i) => ({ ...c, score: scores[i] }));
    const usage = {
      rewardRequests: rewardModel.requestCount?.(unscored.length) ?? 1,
      ...nodeTime("reward", start),
    };
    const newest = scored.filter((c) => c.iteration === state.iteration).map((c) => c.score);
    return {
      pool: scored,
      usage,
      history: [{ iteration: state.iteration, scores: scoreStats(newest), usage }],
    };
  };
}
