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
