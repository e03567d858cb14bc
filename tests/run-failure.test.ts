import { describe, expect, it } from "vitest";
import {
  HttpRequestError,
  ModelRequestError,
  RewardRequestError,
  TpoConfigError,
  TpoInputError,
  TpoSettingsError,
  TpoStepError,
} from "../src/errors.js";
import { failureOf } from "../src/run/failure.js";

const SECRET_URL = "http://user:hunter2@10.0.0.5:8000/v1";

describe("failureOf: one description of a failed run", () => {
  it("describes an upstream failure by step, role, redacted server, status and whether to retry", () => {
    const model = new ModelRequestError(`The request to ${SECRET_URL} failed: status 503`, SECRET_URL, 503);
    expect(failureOf(new TpoStepError("update", model))).toEqual({
      kind: "upstream",
      step: "update",
      role: "model server",
      server: "http://user:***@10.0.0.5:8000/v1",
      status: 503,
      retryable: true,
      message: "The request to http://user:***@10.0.0.5:8000/v1 failed: status 503",
    });
    const reward = new RewardRequestError("bad labels", "vllm-classify", SECRET_URL, 400);
    expect(failureOf(new TpoStepError("reward", reward))).toMatchObject({
      role: "reward server",
      rewardKind: "vllm-classify",
      status: 400,
      retryable: false,
    });
    const judge = new HttpRequestError("no answer (timeout)", SECRET_URL, undefined, 3);
    expect(failureOf(judge, "reward")).toMatchObject({ role: "server", step: "reward", retryable: true });
    expect(failureOf(judge).status).toBeUndefined();
    for (const status of [408, 429, 500]) {
      expect(failureOf(new ModelRequestError("x", SECRET_URL, status)).retryable).toBe(true);
    }
  });

  it("finds the caller's mistakes anywhere in the chain of causes, and says nothing is worth retrying", () => {
    const settings = new TpoSettingsError("width", 'Invalid TPO setting "width": too big.');
    expect(failureOf(new TpoStepError("generate", new Error("wrapped", { cause: settings })))).toEqual({
      kind: "settings",
      step: "generate",
      field: "width",
      retryable: false,
      message: 'Invalid TPO setting "width": too big.',
    });
    expect(failureOf(new TpoInputError("No query")).kind).toBe("input");
    expect(failureOf(new TpoConfigError(`No model at ${SECRET_URL}\nset OPENAI_BASE_URL`))).toEqual({
      kind: "config",
      step: null,
      retryable: false,
      message: "No model at http://user:***@10.0.0.5:8000/v1\nset OPENAI_BASE_URL",
    });
    expect(failureOf("a string")).toEqual({ kind: "internal", step: null, retryable: false, message: "a string" });
  });
});
