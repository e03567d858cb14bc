import { SimChatModel } from "./chat-model.js";
import { SimRewardModel } from "./reward-model.js";

export { SimChatModel, type SimChatModelParams } from "./chat-model.js";
export { SimRewardModel } from "./reward-model.js";
export { aspectsOf, simReward, SIM_PARAMS } from "./world.js";

/** A policy (also the critic) and a reward model from the simulated world. */
export function createSimWorld(seed = 0): { policy: SimChatModel; rewardModel: SimRewardModel } {
  return { policy: new SimChatModel({ seed }), rewardModel: new SimRewardModel(seed) };
}
