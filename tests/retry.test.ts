import { describe, expect, it } from "vitest";
import { ModelRequestError, TpoConfigError } from "../src/errors.js";
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  retryAfterOf,
  retryPolicy,
  withRetries,
  type RetryPolicy,
} from "../src/http/retry.js";
import { classifyModelFailure, modelRequestError } from "../src/models/chat/openai-failure.js";

const FAST = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 };
const ENDPOINT = "http://127.0.0.1:1/v1/chat/completions";

function httpError(status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`${status} failed`), { status, headers: new Headers(headers) });
}

/** The loop as the policy client runs it: the OpenAI SDK's errors, classified, ending in a ModelRequestError. */
function modelRetries<T>(call: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  return withRetries(call, {
    policy,
    signal,
    classify: (error) => classifyModelFailure(error, undefined),
    giveUp: (outcome) => modelRequestError(ENDPOINT, outcome),
  });
}

describe("the retry policy", () => {
  it("has one set of defaults, and refuses values out of range naming them", () => {
    expect(retryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect(retryPolicy({ maxRetries: 0 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxRetries: 0 });
    expect(() => retryPolicy({ maxRetries: -1 })).toThrow(TpoConfigError);
    expect(() => retryPolicy({ baseDelayMs: Number.NaN })).toThrow(/retry.baseDelayMs/);
  });

  it("retries 408, 409, 429 and 5xx, and no other status", () => {
    expect([408, 409, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("reads delay-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });

  it("reads Retry-After in seconds or as a date, and retry-after-ms, from headers of either shape", () => {
    expect(retryAfterOf(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterOf(new Headers({ "retry-after-ms": "150", "retry-after": "2" }))).toBe(150);
    expect(retryAfterOf({ "retry-after": new Date(0).toUTCString() })).toBe(0);
    expect(retryAfterOf(new Headers())).toBeUndefined();
    expect(retryAfterOf(undefined)).toBeUndefined();
  });
});

describe("withRetries", () => {
  it("retries retryable statuses until one succeeds", async () => {
    const statuses = [429, 500, 503];
    let calls = 0;
    const result = await modelRetries(async () => {
      const status = statuses[calls++];
      if (status) throw httpError(status, { "retry-after": "0" });
      return "ok";
    }, FAST);
    expect(result).toBe("ok");
    expect(calls).toBe(4);
  });

  it("stops after maxRetries, naming the attempts", async () => {
    let calls = 0;
    const error = await modelRetries(
      async () => {
        calls++;
        throw httpError(503);
      },
      { ...FAST, maxRetries: 2 },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as ModelRequestError).attempts).toBe(3);
    expect((error as Error).message).toContain("failed after 3 attempts: status 503");
  });

  it("stops at once on a status that retrying cannot fix", async () => {
    let calls = 0;
    const error = await modelRetries(async () => {
      calls++;
      throw httpError(401);
    }, FAST).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toContain("OPENAI_API_KEY");
  });

  it("does not retry a 429 that says the quota is spent", async () => {
    let calls = 0;
    await modelRetries(async () => {
      calls++;
      throw Object.assign(httpError(429), { code: "insufficient_quota" });
    }, FAST).catch(() => undefined);
    expect(calls).toBe(1);
  });

  it("does not wait for a Retry-After longer than maxDelayMs, and says so", async () => {
    let calls = 0;
    const error = await modelRetries(async () => {
      calls++;
      throw httpError(429, { "retry-after": "3600" });
    }, FAST).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as Error).message).toContain("retry after 3600 s");
  });

  it("gives up the backoff when the run is aborted", async () => {
    const controller = new AbortController();
    const pending = modelRetries(
      async () => {
        setTimeout(() => controller.abort(new Error("stopped by the caller")), 10);
        throw httpError(503);
      },
      { maxRetries: 5, baseDelayMs: 600_000, maxDelayMs: 600_000 },
      controller.signal,
    );
    await expect(pending).rejects.toThrow("stopped by the caller");
  });

  it("passes an abort through, neither retried nor wrapped", async () => {
    let calls = 0;
    const abort = new DOMException("This operation was aborted", "AbortError");
    const error = await modelRetries(async () => {
      calls++;
      throw abort;
    }, FAST).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toBe(abort);
  });
});
