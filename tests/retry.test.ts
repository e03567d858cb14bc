import { describe, expect, it } from "vitest";
import { ModelRequestError } from "../src/errors.js";
import { retryAfterMs, withRetries } from "../src/models/retry.js";

const FAST = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 };
const TARGET = { endpoint: "http://127.0.0.1:1/v1/chat/completions" };

function httpError(status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`${status} failed`), { status, headers: new Headers(headers) });
}

describe("withRetries", () => {
  it("reads Retry-After in seconds or as a date, and retry-after-ms", () => {
    expect(retryAfterMs(httpError(429, { "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(httpError(429, { "retry-after-ms": "150" }))).toBe(150);
    expect(retryAfterMs(httpError(429, { "retry-after": new Date(0).toUTCString() }))).toBe(0);
    expect(retryAfterMs(httpError(429))).toBeUndefined();
  });

  it("retries retryable statuses until one succeeds", async () => {
    const statuses = [429, 500, 503];
    let calls = 0;
    const result = await withRetries(
      async () => {
        const status = statuses[calls++];
        if (status) throw httpError(status, { "retry-after": "0" });
        return "ok";
      },
      FAST,
      TARGET,
    );
    expect(result).toBe("ok");
    expect(calls).toBe(4);
  });

  it("stops at once on a status that retrying cannot fix", async () => {
    let calls = 0;
    const error = await withRetries(
      async () => {
        calls++;
        throw httpError(401);
      },
      FAST,
      TARGET,
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toContain("OPENAI_API_KEY");
  });

  it("does not wait for a Retry-After beyond a minute, and says so", async () => {
    let calls = 0;
    const error = await withRetries(
      async () => {
        calls++;
        throw httpError(429, { "retry-after": "3600" });
      },
      FAST,
      TARGET,
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as Error).message).toContain("retry after 3600 s");
  });

  it("gives up the backoff when the run is aborted", async () => {
    const controller = new AbortController();
    const pending = withRetries(
      async () => {
        setTimeout(() => controller.abort(new Error("stopped by the caller")), 10);
        throw httpError(503);
      },
      { maxRetries: 5, baseDelayMs: 600_000, maxDelayMs: 600_000 },
      { ...TARGET, signal: controller.signal },
    );
    await expect(pending).rejects.toThrow("stopped by the caller");
  });
});
