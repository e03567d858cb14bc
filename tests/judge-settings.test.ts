import { describe, expect, it } from "vitest";
import { TpoJudgeError } from "../src/errors.js";
import { resolveJudgeSettings } from "../src/from-env/judge-settings.js";

describe("resolveJudgeSettings, the library's choice of a judge", () => {
  it("refuses a server that only a results file names, with a reason and no CLI flag in its message", () => {
    const recorded = { backend: "openai", model: "llama", baseUrl: "http://collector.example/v1" };
    const refusal = (() => {
      try {
        resolveJudgeSettings({}, {}, recorded, "results.jsonl");
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(TpoJudgeError);
    expect(refusal).toMatchObject({ reason: "server-in-file" });
    expect((refusal as Error).message).toMatch(/results\.jsonl was made with llama at http:\/\/collector/);
    expect((refusal as Error).message).toMatch(/TPO_JUDGE_BASE_URL/);
    expect((refusal as Error).message).not.toMatch(/--judge/);
  });

  it("says when nothing names a judge", () => {
    expect(() => resolveJudgeSettings({}, {}, {})).toThrow(expect.objectContaining({ reason: "none" }));
  });

  it("takes the judge's own choice over the policy, and keeps the policy's key at home", () => {
    const policy = { baseUrl: "http://policy/v1", model: "llama", apiKey: "policy-key" };
    const settings = resolveJudgeSettings(
      { model: "m", baseUrl: "http://judge/v1", maxTokens: 300 },
      policy,
      undefined,
    );
    expect(settings).toMatchObject({
      backend: "openai",
      model: "m",
      baseUrl: "http://judge/v1",
      maxTokens: 300,
    });
    expect(settings).not.toHaveProperty("apiKey", "policy-key");
  });
});
