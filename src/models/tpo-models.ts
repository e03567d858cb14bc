import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RewardModel } from "./reward/reward-model.js";

/** The models a TPO run uses: the policy samples, the critic critiques and rewrites, the reward model scores. */
export interface TpoModels {
  policy: BaseChatModel;
  /** Critique, gradient and update; the policy in the paper. */
  critic: BaseChatModel;
  rewardModel: RewardModel;
}
