import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RolePrices } from "./prices.js";
import type { RewardModel } from "./reward/reward-model.js";

/** The models a TPO run uses: the policy samples, the critic critiques and rewrites, the reward model scores. */
export interface TpoModels {
  policy: BaseChatModel;
  /** Critique, gradient and update; the policy in the paper. */
  critic: BaseChatModel;
  rewardModel: RewardModel;
  /** What each model costs, when prices were given (`--prices`): the usage then says money. */
  prices?: RolePrices;
}
