import { describe, expect, it } from "vitest";
import { TpoConfigError } from "../src/errors.js";
import { loadLangSmith } from "../src/langsmith/client.js";
import { feedbackOf, inputsOf, type ExperimentRecord } from "../src/langsmith/feedback.js";
import { stableUuid } from "../src/langsmith/ids.js";

const usage = {
  modelRequests: 7,
  promptTokens: 1000,
  cachedPromptTokens: 0,
  completionTokens: 300,
  rewardRequests: 3,
  nodeMs: {},
};

const record: ExperimentRecord = {
  id: "q1",
  mode: "tpo",
  query: "How?",
  best: { text: "Thus.", score: 7.5 },
  history: [
    { iteration: 0, bestSoFar: 5 },
    { iteration: 1, bestSoFar: 6 },
    { iteration: 2, bestSoFar: 7.5 },
  ],
  usage,
  stopReason: "depth",
  elapsedMs: 10,
  finishedAt: "2026-12-07T00:00:00.000Z",
};

describe("an experiment's feedback and keys", () => {
  it("scores a finished run: reward, first samples' best, gain, iterations, stop reason, tokens", () => {
    expect(feedbackOf(record)).toEqual([
      { key: "reward", score: 7.5 },
      { key: "first_samples_reward", score: 5 },
      { key: "reward_gain", score: 2.5 },
      { key: "iterations", score: 2 },
      { key: "stop_reason", value: "depth" },
      { key: "tokens", score: 1300 },
    ]);
  });

  it("adds the cost only when the run was priced, and gives a failed run none", () => {
    const priced = { ...record, usage: { ...usage, costUsd: 0.0123 } };
    expect(feedbackOf(priced).at(-1)).toEqual({ key: "cost_usd", score: 0.0123 });
    expect(feedbackOf({ ...record, error: { message: "down" } })).toEqual([]);
  });

  it("keys an example by its dataset and query id, and takes a conversation over its text", () => {
    expect(stableUuid("d1", "q1")).toBe(stableUuid("d1", "q1"));
    expect(stableUuid("d1", "q1")).not.toBe(stableUuid("d2", "q1"));
    expect(stableUuid("d1", "q1")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const messages = [{ role: "user", content: "How?" }];
    expect(inputsOf({ query: "How?", messages })).toEqual({ messages });
    expect(inputsOf({ query: "How?" })).toEqual({ query: "How?" });
  });

  it("says how to install langsmith when it is missing", async () => {
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package 'langsmith'"), { code: "ERR_MODULE_NOT_FOUND" });
    };
    await expect(loadLangSmith(missing)).rejects.toThrow(TpoConfigError);
    await expect(loadLangSmith(missing)).rejects.toThrow(/npm install langsmith/);
  });
});
