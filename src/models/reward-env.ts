import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { TpoConfigError } from "../errors.js";
import type { ModelSettings } from "./env.js";
import type { RewardModel } from "./reward.js";

/** The reward model the settings describe: an HTTP reward server, or an LLM judge on the policy. */
export function createRewardModelFromSettings(settings: ModelSettings, _policy: BaseChatModel): RewardModel {
  throw new TpoConfigError(
    `No reward model client is available yet for ${settings.rewardUrl ?? "an LLM judge"}; use TPO_BACKEND=sim.`,
  );
}
