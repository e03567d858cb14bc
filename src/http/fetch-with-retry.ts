import { setTimeout as sleep } from "node:timers/promises";
import { HttpRequestError } from "../errors.js";
import { nodeHttpFetch } from "./transport.js";

export interface RetryOptions {
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** Timeout of each attempt, response body included, in ms (default 60 000). */
  timeoutMs?: number;
  /** First backoff delay in ms; it doubles with each attempt (default 500). */
  baseDelayMs?: number;
  /** Longest wait between attempts in ms (default 30 000). */
  maxDelayMs?: number;
  /** The caller's signal: aborting it stops the request and any wait at once. */
  signal?: AbortSignal;
}

export interface HttpResult {
  status: number;
  text: string;
  /** Attempts it took, the successful one included. */
  attempts: number;
}

export const DEFAULT_RETRY = { maxAttempts: 4, timeoutMs: 60_000, baseDelayMs: 500, maxDelayMs: 30_000 };

/** The first `max` characters of a response body, on one line, for error messages. */
export function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return "(empty body)";
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Retry-After as milliseconds: either delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter" before retry number `attempt` (1 for the first retry):
 * half the delay fixed, half random, so that parallel clients spread out but never retry at once.
 */
export function backoff(attempt: number, base: number, max: number): number {
  const delay = Math.min(max, base * 2 ** (attempt - 1));
  return delay / 2 + Math.random() * (delay / 2);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("The request was aborted.");
}

function connectionFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `connection failed (${detail})`;
}

/**
 * fetch with a timeout per attempt, and retries with exponential backoff and jitter on 429, 408,
 * 5xx, timeouts and connection errors; a Retry-After header sets the wait instead of the backoff.
 * Other statuses fail at once. Returns the body as text; throws an HttpRequestError that names
 * the URL, the last status and a snippet of the last body. When the caller's signal aborts, it
 * rethrows the signal's reason without retrying.
 */
export async function fetchWithRetry(
  url: string,
  init: RequestInit,
  options: RetryOptions = {},
): Promise<HttpResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
  const timeoutMs = options.timeoutMs ?? DEFAULT_RETRY.timeoutMs;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const { signal } = options;

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortReason(signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    let failure: string;
    let status: number | undefined;
    let retryAfterMs: number | undefined;
    let cause: unknown;
    try {
      const response = await nodeHttpFetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await response.text();
      if (response.ok) return { status: response.status, text, attempts: attempt };
      status = response.status;
      failure = `HTTP ${status}: ${snippet(text)}`;
      if (!isRetryableStatus(status)) {
        throw new HttpRequestError(failure, url, status, attempt);
      }
      retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    } catch (error) {
      if (error instanceof HttpRequestError) throw error;
      if (signal?.aborted) throw abortReason(signal);
      cause = error;
      failure = timeout.aborted ? `no response within ${timeoutMs} ms (timeout)` : connectionFailure(error);
    }

    const tries = `(after ${attempt} attempt${attempt === 1 ? "" : "s"})`;
    if (attempt >= maxAttempts) {
      throw new HttpRequestError(`${failure} ${tries}`, url, status, attempt, { cause });
    }
    if (retryAfterMs !== undefined && retryAfterMs > maxDelayMs) {
      throw new HttpRequestError(
        `${failure} ${tries}; the server asked to retry after ${Math.ceil(retryAfterMs / 1000)} s, ` +
          `longer than the longest wait allowed (maxDelayMs ${maxDelayMs})`,
        url,
        status,
        attempt,
        { cause },
      );
    }
    try {
      await sleep(retryAfterMs ?? backoff(attempt, baseDelayMs, maxDelayMs), undefined, { signal });
    } catch {
      throw abortReason(signal!);
    }
  }
}

/** POSTs JSON and parses a JSON answer; a body that is not JSON is an HttpRequestError. */
export async function postJson(
  url: string,
  body: unknown,
  options: RetryOptions & { headers?: Record<string, string> } = {},
): Promise<{ json: unknown; attempts: number }> {
  const { headers, ...retry } = options;
  const result = await fetchWithRetry(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify(body),
    },
    retry,
  );
  try {
    return { json: JSON.parse(result.text), attempts: result.attempts };
  } catch (error) {
    throw new HttpRequestError(
      `HTTP ${result.status} with a body that is not JSON: ${snippet(result.text)}`,
      url,
      result.status,
      result.attempts,
      { cause: error },
    );
  }
}
