import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { sampleResponses } from "../src/models/chat/sample-responses.js";
import { ScriptedChatModel } from "./helpers/fakes.js";

const settings = { temperature: 0.7, topP: 0.95, maxTokens: 100, seed: 10 };
const messages = [new HumanMessage("q")];

describe("sampleResponses", () => {
  it("asks for N choices in one request when the model honours n", async () => {
    const model = new ScriptedChatModel((_c, i) => `r${i}`);
    const result = await sampleResponses(model, messages, 4, settings, "auto");
    expect(result.texts).toEqual(["r0", "r1", "r2", "r3"]);
    expect(result.method).toBe("n");
    expect(model.calls.map((c) => c.options)).toEqual([
      { temperature: 0.7, topP: 0.95, maxTokens: 100, seed: 10, n: 4 },
    ]);
    expect(result.usage.modelRequests).toBe(1);
  });

  it("tops up with parallel requests, seed + i each, when the model ignores n", async () => {
    const model = new ScriptedChatModel((call) => `seed ${call.options.seed}`, false);
    const result = await sampleResponses(model, messages, 3, settings, "auto");
    expect(result.texts).toEqual(["seed 10", "seed 11", "seed 12"]);
    expect(result.method).toBe("n+parallel");
    expect(model.calls.map((c) => [c.options.n, c.options.seed])).toEqual([
      [3, 10],
      [1, 11],
      [1, 12],
    ]);
  });

  it("sends one request per sample in parallel mode", async () => {
    const model = new ScriptedChatModel((call) => `seed ${call.options.seed}`);
    const result = await sampleResponses(model, messages, 2, { ...settings, seed: undefined }, "parallel");
    expect(result.method).toBe("parallel");
    expect(model.calls.map((c) => [c.options.n, c.options.seed])).toEqual([
      [1, undefined],
      [1, undefined],
    ]);
  });

  it("takes what one request returned in n mode, without topping up", async () => {
    const model = new ScriptedChatModel(() => "only", false);
    const result = await sampleResponses(model, messages, 3, settings, "n");
    expect(result.texts).toEqual(["only"]);
    expect(model.calls).toHaveLength(1);
  });
});
