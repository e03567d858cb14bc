import { describe, expect, it } from "vitest";
import {
  createSimWorld,
  createTpoGraph,
  parseTpoContext,
  runTpoToEnd,
  tpoEvaluators,
  tpoTarget,
} from "../src/index.js";

const graph = createTpoGraph(createSimWorld());
const context = parseTpoContext({ width: 2, depth: 1, seed: 5 });
const QUERY = "How do I take care of a wooden table?";

describe("tpoTarget and tpoEvaluators (LangSmith's evaluate and evaluateComparative)", () => {
  it("answers an example's query with the run's best response and its figures", async () => {
    const outputs = await tpoTarget(graph, { context })({ question: QUERY });
    const { state } = await runTpoToEnd(graph, { query: QUERY }, { context });
    expect(outputs).toEqual({
      output: state.best!.text,
      reward: state.best!.score,
      first_samples_reward: state.history[0].bestSoFar,
      iterations: 1,
      tokens: state.usage.promptTokens + state.usage.completionTokens,
      stop_reason: state.stopReason,
    });
  });

  it("reads a conversation, or the input that inputKey names, and refuses an example without a query", async () => {
    const target = tpoTarget(graph, { context });
    const chat = await target({ messages: [{ role: "user", content: QUERY }] });
    expect(chat.output).toBe((await target({ query: QUERY })).output);
    expect((await tpoTarget(graph, { context, inputKey: "prompt" })({ prompt: QUERY })).output).toBe(
      chat.output,
    );
    await expect(target({ answer: "x" })).rejects.toThrow(
      /none of the inputs question, query, input, messages/,
    );
  });

  it("scores the outputs, and prefers the higher reward or the shorter answer of two runs", () => {
    const outputs = { output: "four", reward: 3, first_samples_reward: 1 };
    expect(tpoEvaluators.reward({ outputs })).toEqual({ key: "reward", score: 3 });
    expect(tpoEvaluators.rewardGain({ outputs })).toEqual({ key: "reward_gain", score: 2 });
    expect(tpoEvaluators.length({ outputs })).toEqual({ key: "length", score: 4 });
    const runs = [
      { id: "r1", outputs: { output: "a longer answer", reward: 2 } },
      { id: "r2", outputs: { output: "short", reward: 1 } },
    ];
    expect(tpoEvaluators.rewardPreference({ runs })).toEqual({
      key: "reward_preference",
      scores: { r1: 1, r2: 0 },
    });
    expect(tpoEvaluators.shorterPreference({ runs })).toEqual({
      key: "shorter_preference",
      scores: { r1: 0, r2: 1 },
    });
  });
});
