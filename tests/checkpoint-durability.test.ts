import { MemorySaver } from "@langchain/langgraph";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { runTpoToEnd } from "../src/run/index.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { SimChatModel, SimRewardModel } from "../src/sim/index.js";
import type { RewardItem } from "../src/models/reward/reward-model.js";
import { parseTpoContext } from "../src/settings/run-settings.js";

/** A saver whose writes take a while, as a database's do, that counts the writes not done yet. */
class SlowSaver extends MemorySaver {
  pending = 0;

  override async put(...args: Parameters<MemorySaver["put"]>): Promise<RunnableConfig> {
    this.pending++;
    await new Promise((resolve) => setTimeout(resolve, 30));
    try {
      return await super.put(...args);
    } finally {
      this.pending--;
    }
  }
}

describe("a checkpointed run", () => {
  it("saves each step before the next one asks a model anything, so that a kill repeats at most the step in flight", async () => {
    const saver = new SlowSaver();
    const unsavedAtCall: number[] = [];
    class Policy extends SimChatModel {
      override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]) {
        unsavedAtCall.push(saver.pending);
        return super._generate(messages, options);
      }
    }
    class Reward extends SimRewardModel {
      override async score(items: RewardItem[]) {
        unsavedAtCall.push(saver.pending);
        return super.score(items);
      }
    }
    const policy = new Policy({ seed: 1 });
    const graph = createTpoGraph({ policy, critic: policy, rewardModel: new Reward(1), checkpointer: saver });
    const { state } = await runTpoToEnd(
      graph,
      { query: "How do I take care of a wooden table?" },
      { context: parseTpoContext({ width: 2, depth: 2 }), threadId: "t1" },
    );
    expect(state.best).not.toBeNull();
    expect(unsavedAtCall.length).toBeGreaterThan(5);
    expect(unsavedAtCall.filter((n) => n > 0)).toEqual([]);
  });
});
