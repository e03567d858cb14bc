import type { RunnableConfig } from "@langchain/core/runnables";
import { describe, expect, it } from "vitest";
import type { RewardItem, RewardModel } from "../src/index.js";
import { REWARD_RUN_NAME, traceRewardModel } from "../src/models/reward/traced-reward-model.js";

class CountingRewardModel implements RewardModel {
  #batch = 2;
  score(items: RewardItem[], _config?: RunnableConfig): Promise<number[]> {
    return Promise.resolve(items.map((item) => item.response.length));
  }
  requestCount(items: number): number {
    return Math.ceil(items / this.#batch);
  }
}

describe("traceRewardModel", () => {
  const items = ["a", "bbb", "cc"].map((response) => ({ messages: [], response }));

  it("runs each score call as a run named reward_model whose output is the scores", async () => {
    const runs: { name?: string; outputs?: unknown; tags?: string[] }[] = [];
    const handler = {
      handleChainStart(
        _chain: unknown,
        _inputs: unknown,
        _runId: string,
        _parent?: string,
        tags?: string[],
        _metadata?: unknown,
        _runType?: string,
        name?: string,
      ) {
        runs.push({ name, tags });
      },
      handleChainEnd(outputs: unknown) {
        runs[runs.length - 1].outputs = outputs;
      },
    };
    const traced = traceRewardModel(new CountingRewardModel());
    const scores = await traced.score(items, { callbacks: [handler], tags: ["tpo:iteration:0"] });
    expect(scores).toEqual([1, 3, 2]);
    expect(runs).toEqual([
      { name: REWARD_RUN_NAME, tags: ["tpo:iteration:0"], outputs: { output: [1, 3, 2] } },
    ]);
  });

  it("keeps the model's own members, private fields included, and wraps only once", () => {
    const model = new CountingRewardModel();
    const traced = traceRewardModel(model);
    expect(traced.requestCount(5)).toBe(3);
    expect(traced.constructor.name).toBe("CountingRewardModel");
    expect(traceRewardModel(traced)).toBe(traced);
    const named = traceRewardModel({ name: "mine", score: async (xs: RewardItem[]) => xs.map(() => 0) });
    expect(named.name).toBe("mine");
  });
});
