import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { RewardItem, RewardModel } from "../models/reward/reward-model.js";
import { simReward } from "./world.js";

function lastUserText(messages: BaseMessage[]): string {
  const last = [...messages].reverse().find((m) => HumanMessage.isInstance(m));
  return last?.text ?? "";
}

/** The simulated reward model: aspect coverage of the query, a length penalty and seeded noise. */
export class SimRewardModel implements RewardModel {
  readonly name = "sim";
  constructor(private readonly seed = 0) {}

  async score(items: RewardItem[]): Promise<number[]> {
    return items.map((item) => simReward(lastUserText(item.messages), item.response, this.seed));
  }
}
