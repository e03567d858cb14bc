import type { ResponseCache } from "./chat/response-cache.js";
import type { ScoreCache } from "./reward/score-cache.js";

/**
 * A persistent cache for each role (src/cache/ opens one and binds it to the models): responses
 * of the policy and of the critic to seeded requests, scores of the reward model.
 */
export interface ModelCaches {
  policy?: ResponseCache;
  critic?: ResponseCache;
  reward?: ScoreCache;
}

/**
 * A store of judges' verdicts by their request (src/cache/ makes one): a judge's verdict is kept
 * and reused as a reward score is (docs/cache.md). A lookup that fails is a miss, never an error.
 */
export interface JudgementStore {
  lookupJudgement(material: string): Promise<unknown>;
  updateJudgement(material: string, value: unknown): Promise<void>;
}
