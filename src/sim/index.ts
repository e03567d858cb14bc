import { SimChatModel } from "./chat-model.js";
import { SimRewardModel } from "./reward-model.js";

export { SimChatModel, type SimChatModelParams } from "./chat-model.js";
export { SimRewardModel } from "./reward-model.js";
export { aspectsOf, simReward, SIM_PARAMS } from "./world.js";

/**
 * A policy (also the critic) and a reward model from the simulated world; `answerChars` makes
 * its answers about that long, as real ones are.
 */
export function createSimWorld(
  seed = 0,
  { answerChars }: { answerChars?: number } = {},
): { policy: SimChatModel; rewardModel: SimRewardModel } {
  return { policy: new SimChatModel({ seed, answerChars }), rewardModel: new SimRewardModel(seed) };
}
