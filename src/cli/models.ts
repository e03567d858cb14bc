import { loadModels, type ModelSettings } from "../config/models-from-env.js";
import type { TpoModels } from "../models/tpo-models.js";
import type { RewardModel } from "../models/reward.js";

/**
 * Test hooks, for tests that spawn the CLI: TPO_TEST_REWARD_DELAY_MS slows every reward call (so
 * that a batch can be killed in the middle of a query) and TPO_TEST_REWARD_ERROR makes reward calls
 * for queries containing its text fail with that text (a failed run). Neither changes a result.
 */
function withTestHooks(model: RewardModel, delayMs: number, error: string | undefined): RewardModel {
  return {
    name: model.name,
    score: async (items, config) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const asked = items[0]?.messages.at(-1)?.content;
      if (error && typeof asked === "string" && asked.includes(error))
        throw new Error(`${error} (test hook)`);
      return model.score(items, config);
    },
  };
}

/** The models the settings describe, as the CLI uses them. */
export function loadCliModels(settings: ModelSettings, env: NodeJS.ProcessEnv = process.env): TpoModels {
  const models = loadModels(settings);
  const delayMs = Number(env.TPO_TEST_REWARD_DELAY_MS ?? 0);
  const error = env.TPO_TEST_REWARD_ERROR || undefined;
  if (!(delayMs > 0) && !error) return models;
  return { ...models, rewardModel: withTestHooks(models.rewardModel, delayMs, error) };
}
