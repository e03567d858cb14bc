import { describe, expect, it } from "vitest";
import { HttpRequestError, ModelRequestError } from "../src/errors.js";
import { HttpStatusError, postJson } from "../src/http/fetch-with-retry.js";
import { retryableAnswer } from "../src/http/retry.js";
import { classifyModelFailure } from "../src/models/chat/openai-failure.js";
import { ChatRequestGaveUp, retryingChatFetch } from "../src/models/chat/retrying-fetch.js";
import { failureOf } from "../src/run/failure.js";

/**
 * One reading of an answer's status for every client: the reward client's POST, the chat model's
 * fetch and a run's failure say alike which statuses another attempt may help.
 */
const FAST = { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 };
const URL = "http://127.0.0.1:9/v1/chat/completions";
const STATUSES = [400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504];
const QUOTA = JSON.stringify({
  error: { code: "insufficient_quota", message: "You exceeded your current quota" },
});
const OK = JSON.stringify({ id: "x", choices: [] });

/** A transport that answers `status` with `body` once, then 200 with a JSON object; counts the calls. */
function answering(status: number, body = "{}"): { calls: number; fetch: typeof fetch } {
  const transport: { calls: number; fetch: typeof fetch } = {
    calls: 0,
    fetch: (async () => {
      transport.calls++;
      return transport.calls === 1
        ? new Response(body, { status, headers: { "content-type": "application/json" } })
        : new Response(OK, { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof fetch,
  };
  return transport;
}

/** Attempts the reward client's POST made, and whether it ended in an HttpRequestError. */
async function postAttempts(status: number, body?: string): Promise<number> {
  const transport = answering(status, body);
  await postJson(URL, {}, { policy: FAST, timeoutMs: 10_000, fetch: transport.fetch }).catch(
    (error: unknown) => {
      expect(error).toBeInstanceOf(HttpRequestError);
    },
  );
  return transport.calls;
}

/** Attempts the chat model's fetch made. */
async function chatAttempts(status: number, body?: string): Promise<number> {
  const transport = answering(status, body);
  const fetch = retryingChatFetch({ fetch: transport.fetch, policy: FAST, endpoint: URL, timeoutMs: 10_000 });
  await fetch(URL, { method: "POST", body: "{}" }).catch((error: unknown) => {
    expect(error).toBeInstanceOf(ChatRequestGaveUp);
  });
  return transport.calls;
}

describe("the one classifier of an answer's status", () => {
  it("retries 408, 409, 429 and 5xx and no other status, in the reward client, the chat fetch and a run's failure", async () => {
    for (const status of STATUSES) {
      const retryable = retryableAnswer(status);
      expect(retryable, String(status)).toBe([408, 409, 429].includes(status) || status >= 500);
      expect(classifyModelFailure(new HttpStatusError(status, new Headers(), "{}"), 1).retryable).toBe(
        retryable,
      );
      expect(failureOf(new ModelRequestError("x", URL, status)).retryable, String(status)).toBe(retryable);
      expect(await postAttempts(status), `reward ${status}`).toBe(retryable ? 2 : 1);
      expect(await chatAttempts(status), `chat ${status}`).toBe(retryable ? 2 : 1);
    }
  });

  it("does not retry a 429 that says the quota is spent, in either client", async () => {
    expect(retryableAnswer(429, { code: "insufficient_quota" })).toBe(false);
    expect(retryableAnswer(429, { message: "429 insufficient quota" })).toBe(false);
    expect(await postAttempts(429, QUOTA)).toBe(1);
    expect(await chatAttempts(429, QUOTA)).toBe(1);
  });

  it("retries a 2xx answer that is not JSON, in either client", async () => {
    expect(await postAttempts(200, "<html>proxy</html>")).toBe(2);
    expect(await chatAttempts(200, "<html>proxy</html>")).toBe(2);
  });

  it("gives one status error, with the server's message and code", () => {
    const error = new HttpStatusError(429, new Headers({ "retry-after": "1" }), QUOTA);
    expect(error.message).toBe("429 You exceeded your current quota");
    expect(error.code).toBe("insufficient_quota");
    expect(new HttpStatusError(502, new Headers(), "<html>\n bad gateway </html>").message).toBe(
      "502 <html> bad gateway </html>",
    );
  });
});
