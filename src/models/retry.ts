import { ModelRequestError } from "../errors.js";
import { setTimeout as sleep } from "node:timers/promises";
import { backoff, parseRetryAfter } from "../http/fetch-with-retry.js";
import { zodIssues } from "./zod-issues.js";

export interface RetryPolicy {
  /** Retries after the first attempt; 0 tries once. */
  maxRetries: number;
  /** Backoff before the first retry; it doubles for each further one, with jitter. */
  baseDelayMs: number;
  /** Cap of the backoff (a Retry-After header may ask for longer, up to MAX_RETRY_AFTER_MS). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 8_000 };

/** A Retry-After longer than this is not waited for: the request fails and says so. */
export const MAX_RETRY_AFTER_MS = 60_000;

interface Failure {
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
  detail: string;
  hint: string;
}

function headerOf(error: unknown, name: string): string | undefined {
  const headers = (error as { headers?: unknown }).headers;
  if (!headers || typeof headers !== "object") return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** Retry-After (seconds or an HTTP date) or OpenAI's retry-after-ms, in milliseconds. */
export function retryAfterMs(error: unknown): number | undefined {
  const ms = Number(headerOf(error, "retry-after-ms"));
  if (headerOf(error, "retry-after-ms") !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(headerOf(error, "retry-after") ?? null);
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return (
    name === "AbortError" ||
    (error as { constructor?: { name?: string } })?.constructor?.name === "APIUserAbortError"
  );
}

function classify(error: unknown, timeoutMs: number | undefined): Failure {
  const e = error as {
    status?: unknown;
    name?: unknown;
    message?: unknown;
    code?: unknown;
    constructor?: { name?: string };
  };
  const message = typeof e?.message === "string" ? e.message : String(error);
  const status = typeof e?.status === "number" ? e.status : undefined;
  if (status !== undefined) {
    const quota = e.code === "insufficient_quota" || /insufficient[_ ]quota/i.test(message);
    const retryable = !quota && (status === 408 || status === 409 || status === 429 || status >= 500);
    const hint =
      status === 401 || status === 403
        ? "Check OPENAI_API_KEY."
        : status === 404
          ? "Check TPO_MODEL and OPENAI_BASE_URL (an OpenAI-compatible base URL usually ends in /v1)."
          : status === 429
            ? "The server is rate limiting: lower the width or try later; TPO_MAX_RETRIES allows more retries."
            : status >= 500
              ? "The server is failing; check its logs, or try later."
              : "Check the request settings.";
    return {
      status,
      retryable,
      retryAfterMs: retryAfterMs(error),
      detail: `status ${status} (${message})`,
      hint,
    };
  }
  if (e?.name === "TimeoutError" || e?.constructor?.name === "APIConnectionTimeoutError") {
    return {
      retryable: true,
      detail: `no response within ${timeoutMs === undefined ? "the timeout" : `${timeoutMs} ms`}`,
      hint: "Raise TPO_TIMEOUT_MS, lower maxTokens, or check that the server is not overloaded.",
    };
  }
  if (e?.constructor?.name === "APIConnectionError") {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    return {
      retryable: true,
      detail: `connection failed (${cause?.code ?? cause?.message ?? message})`,
      hint: "Is the server running and is OPENAI_BASE_URL right?",
    };
  }
  if (error instanceof SyntaxError) {
    return {
      retryable: false,
      detail: `the response body is not valid JSON (${message})`,
      hint: "Is this an OpenAI-compatible server?",
    };
  }
  const schema = zodIssues(error);
  if (schema !== null) {
    return { retryable: false, detail: `the answer does not fit the expected schema (${schema})`, hint: "" };
  }
  return { retryable: false, detail: message, hint: "" };
}

/**
 * Calls `call` until it succeeds: retries 408, 409, 429, 5xx, timeouts and connection errors with
 * exponential backoff and jitter, waiting as long as a Retry-After header asks. Anything else, or
 * the last failure, becomes a ModelRequestError naming the endpoint and the last status.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  target: { endpoint: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (target.signal?.aborted) throw target.signal.reason ?? error;
      if (isAbort(error)) throw error;
      const failure = classify(error, target.timeoutMs);
      const retriesLeft = policy.maxRetries - (attempt - 1);
      const tooLong = failure.retryAfterMs !== undefined && failure.retryAfterMs > MAX_RETRY_AFTER_MS;
      if (!failure.retryable || retriesLeft <= 0 || tooLong) {
        const tries = `${attempt} attempt${attempt === 1 ? "" : "s"}`;
        const wait = tooLong
          ? ` The server asked to retry after ${Math.round(failure.retryAfterMs! / 1000)} s.`
          : "";
        throw new ModelRequestError(
          `Model request to ${target.endpoint} failed after ${tries}: ${failure.detail}.${wait} ${failure.hint}`.trim(),
          target.endpoint,
          failure.status,
          attempt,
          { cause: error },
        );
      }
      const wait = failure.retryAfterMs ?? backoff(attempt, policy.baseDelayMs, policy.maxDelayMs);
      await sleep(wait, undefined, { signal: target.signal }).catch(() => {
        throw target.signal?.reason;
      });
    }
  }
}
