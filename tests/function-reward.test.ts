import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { RewardModelError } from "../src/errors.js";
import { createFunctionRewardModel } from "../src/models/reward/function-reward.js";
import { scoreChecked } from "../src/models/reward/reward-model.js";

const ask = (question: string) => [new HumanMessage(question)];

describe("createFunctionRewardModel", () => {
  it("scores with a sync verifier", async () => {
    const checkAnswer = ({ response }: { response: string }) => (/\b4\b/.test(response) ? 1 : 0);
    const model = createFunctionRewardModel(checkAnswer);
    const scores = await model.score([
      { messages: ask("What is 2+2?"), response: "It is 4." },
      { messages: ask("What is 2+2?"), response: "It is 5." },
    ]);
    expect(scores).toEqual([1, 0]);
    expect(model.name).toBe("checkAnswer");
  });

  it("scores with an async function that sees the conversation", async () => {
    const model = createFunctionRewardModel(
      async ({ messages, response }) => {
        await Promise.resolve();
        return messages[0].text.length + response.length;
      },
      { name: "lengths" },
    );
    expect(await model.score([{ messages: ask("abc"), response: "de" }])).toEqual([5]);
    expect(model.name).toBe("lengths");
  });

  it("wraps a failing function in a RewardModelError naming the response", async () => {
    const model = createFunctionRewardModel(
      (item) => {
        if (item.response === "bad") throw new Error("cannot parse the answer");
        return 1;
      },
      { name: "verifier" },
    );
    const error = await model
      .score([
        { messages: ask("q"), response: "ok" },
        { messages: ask("q"), response: "bad" },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardModelError);
    expect((error as Error).message).toBe(
      'Reward function "verifier" failed on response 1: cannot parse the answer',
    );
  });

  it("has its scores checked like any reward model", async () => {
    const model = createFunctionRewardModel(() => Number.NaN, { name: "nan" });
    await expect(scoreChecked(model, [{ messages: ask("q"), response: "r" }])).rejects.toThrow(
      /Reward model "nan" returned a non-finite score/,
    );
  });
});

describe("scoreChecked", () => {
  const item = { messages: ask("q"), response: "r" };
  const checked = (scores: unknown): Promise<Error> =>
    scoreChecked({ name: "rm", score: async () => scores as number[] }, [item, item]).then(
      () => new Error("no error"),
      (e: unknown) => e as Error,
    );

  it.each([
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
  ])("prints a non-finite score %s as it is, not as null", async (bad, printed) => {
    const error = await checked([1, bad]);
    expect(error).toBeInstanceOf(RewardModelError);
    expect(error.message).toBe(
      `Reward model "rm" returned a non-finite score ${printed} for response 1; every score must be a finite number.`,
    );
  });

  it("prints what it got instead of a list of scores, non-finite numbers and bigints included", async () => {
    expect((await checked({ scores: [Number.NaN, -Infinity] })).message).toContain(
      'returned {"scores":[NaN,-Infinity]} for 2 responses',
    );
    const error = await checked([1, 2n]);
    expect(error).toBeInstanceOf(RewardModelError);
    expect(error.message).toContain("non-finite score 2n for response 1");
  });
});
