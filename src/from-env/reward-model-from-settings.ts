import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { TpoConfigError } from "../errors.js";
import type { ModelSettings } from "./models-from-env.js";
import { affinityOf } from "./affinity.js";
import { createHttpRewardModel } from "../models/reward/http-reward.js";
import { createJudgeRewardModel } from "../models/reward/judge-reward.js";
import type { RewardModel } from "../models/reward/reward-model.js";
import { HTTP_REWARD_KINDS, type HttpRewardKind } from "../models/reward/reward-kinds.js";
import { resolveChatTemplate } from "../models/reward/reward-template.js";

/** The reward model the settings describe: an HTTP reward server, or an LLM judge on the policy. */
export function createRewardModelFromSettings(settings: ModelSettings, policy: BaseChatModel): RewardModel {
  const kinds = HTTP_REWARD_KINDS.join(", ");
  if (!settings.rewardUrl) {
    if (settings.rewardKind) {
      throw new TpoConfigError(
        `TPO_REWARD_KIND is "${settings.rewardKind}" but TPO_REWARD_URL is not set: set TPO_REWARD_URL to the ` +
          `reward server's URL, or unset TPO_REWARD_KIND to let the policy judge.`,
      );
    }
    const stray = [
      settings.rewardTemplate !== undefined && "TPO_REWARD_TEMPLATE (--reward-template)",
      settings.rewardLabel !== undefined && "TPO_REWARD_LABEL (--reward-label)",
    ].filter(Boolean);
    if (stray.length > 0) {
      throw new TpoConfigError(
        `${stray.join(" and ")} set without TPO_REWARD_URL: only a reward server uses ` +
          `${stray.length > 1 ? "them" : "it"}; set TPO_REWARD_URL and TPO_REWARD_KIND, or unset ` +
          `${stray.length > 1 ? "them" : "it"}.`,
      );
    }
    return createJudgeRewardModel(policy);
  }
  if (!settings.rewardKind) {
    throw new TpoConfigError(
      `TPO_REWARD_URL is set, so TPO_REWARD_KIND must say what kind of server it is: one of ${kinds}.`,
    );
  }
  if (!(HTTP_REWARD_KINDS as readonly string[]).includes(settings.rewardKind)) {
    throw new TpoConfigError(`Unknown TPO_REWARD_KIND "${settings.rewardKind}": use one of ${kinds}.`);
  }
  return createHttpRewardModel({
    url: settings.rewardUrl,
    kind: settings.rewardKind as HttpRewardKind,
    model: settings.rewardModel,
    apiKey: settings.rewardApiKey,
    chatTemplate:
      settings.rewardTemplate === undefined ? undefined : resolveChatTemplate(settings.rewardTemplate),
    labelIndex: settings.rewardLabel,
    // 0 means "no timeout of ours", as for the policy: the client's own default then applies.
    timeoutMs: (settings.rewardTimeoutMs ?? settings.timeoutMs) || undefined,
    affinity: affinityOf(settings),
    coolOffMs: settings.coolOffMs,
  });
}
