import { setTimeout as sleep } from "node:timers/promises";
import { TpoConfigError } from "../errors.js";

/** How a client retries a failed request: the policy/critic client and the reward client alike. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 tries once. */
  maxRetries: number;
  /** Backoff before the first retry; it doubles for each further one, with jitter. */
  baseDelayMs: number;
  /**
   * The longest wait between attempts: the backoff stops growing there, and a Retry-After that
   * asks for longer is not waited for (the request fails and says so).
   */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 60_000 };

/** The defaults with `overrides` on top; a value out of range is a TpoConfigError naming it. */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY };
  for (const [key, value] of Object.entries(overrides) as [keyof RetryPolicy, number | undefined][]) {
    if (value === undefined) continue;
    const whole = key === "maxRetries";
    if (
      typeof value !== "number" ||
      !(value >= 0) ||
      (whole ? !Number.isInteger(value) : !Number.isFinite(value))
    ) {
      throw new TpoConfigError(
        `retry.${key} must be ${whole ? "a whole number" : "a number of milliseconds"} of 0 or more, not ${value}.`,
      );
    }
    policy[key] = value;
  }
  return policy;
}

/** Statuses worth another attempt: 408 timeout, 409 conflict, 429 rate limit, 5xx (as the OpenAI SDK retries). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Whether another attempt may help a request that was answered with `status`: a retryable status
 * (408, 409, 429, 5xx), unless the server says the account's quota is spent, which waiting does
 * not refill. The one reading of a status for every client, and for a run's failure.
 */
export function retryableAnswer(status: number, error?: { code?: unknown; message?: unknown }): boolean {
  const quota =
    error?.code === "insufficient_quota" ||
    (typeof error?.message === "string" && /insufficient[_ ]quota/i.test(error.message));
  return !quota && isRetryableStatus(status);
}

/**
 * Whether a failure is the server's, so that another server of the same model may answer: no
 * answer (`undefined`), a 5xx, or a 2xx whose body could not be read (a proxy's page, a body cut
 * short). A 4xx is the request's fault, the same on every server.
 */
export function isServerFault(status: number | undefined): boolean {
  return status === undefined || status >= 500 || (status >= 200 && status < 300);
}

/** Retry-After as milliseconds: either delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** The wait a response's headers ask for: OpenAI's retry-after-ms, else Retry-After (seconds or a date). */
export function retryAfterOf(headers: unknown): number | undefined {
  const ms = headerOf(headers, "retry-after-ms");
  if (ms !== undefined && ms.trim() !== "" && Number(ms) >= 0) return Number(ms);
  return parseRetryAfter(headerOf(headers, "retry-after"));
}

/**
 * Exponential backoff with "equal jitter" before retry number `attempt` (1 for the first retry):
 * half the delay fixed, half random, so that parallel clients spread out but never retry at once.
 */
export function backoff(attempt: number, base: number, max: number): number {
  const delay = Math.min(max, base * 2 ** (attempt - 1));
  return delay / 2 + Math.random() * (delay / 2);
}

/** One failed attempt, as the client's classifier reads it. */
export interface AttemptFailure {
  /** Worth another attempt: a retryable status, a timeout, a connection error. */
  retryable: boolean;
  /** How long the server asked to wait (Retry-After), when it did. */
  retryAfterMs?: number;
}

/** Why the retries stopped, for the client to turn into its own error. */
export interface GaveUp<F extends AttemptFailure> {
  /** The last failure, as classified. */
  failure: F;
  /** The last error, as the attempt threw it. */
  error: unknown;
  attempts: number;
  /** The wait a Retry-After asked for, refused because it is longer than `maxDelayMs`. */
  refusedWaitMs?: number;
}

export interface RetryLoop<F extends AttemptFailure> {
  policy: RetryPolicy;
  /** The caller's signal: aborting it stops the attempt and any wait at once, with its reason. */
  signal?: AbortSignal;
  /** Reads a failed attempt's error: whether to retry, and how long the server asked to wait. */
  classify(error: unknown): F;
  /** The error to throw when the retries stop: the client's own, with its hint. */
  giveUp(outcome: GaveUp<F>): Error;
}

function isAbortError(error: unknown): boolean {
  const e = error as { name?: unknown; constructor?: { name?: string } } | null;
  return e?.name === "AbortError" || e?.constructor?.name === "APIUserAbortError";
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * Calls `attempt` (numbered from 1) until it succeeds. A failure that the classifier calls
 * retryable is tried again after an exponential backoff with jitter, or after the wait a
 * Retry-After asks for; anything else, the last failure, or a Retry-After longer than
 * `maxDelayMs` ends in the client's own error (`giveUp`). An abort is never retried nor wrapped:
 * when the signal aborts, its reason is thrown at once, during an attempt or a wait.
 *
 * Our own loop rather than LangChain's AsyncCaller: AsyncCaller's backoff (1 s doubling, no
 * cap) is not configurable, it honours Retry-After only for 429, its abort signal only races the
 * call while the retries go on in the background, and it does not tell the attempt count.
 */
export async function withRetries<T, F extends AttemptFailure>(
  attempt: (attempt: number) => Promise<T>,
  loop: RetryLoop<F>,
): Promise<T> {
  const { policy, signal } = loop;
  for (let attempts = 1; ; attempts++) {
    if (signal?.aborted) throw abortReason(signal);
    try {
      return await attempt(attempts);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (isAbortError(error)) throw error;
      const failure = loop.classify(error);
      const wait = failure.retryAfterMs;
      const tooLong = failure.retryable && wait !== undefined && wait > policy.maxDelayMs;
      if (!failure.retryable || attempts > policy.maxRetries || tooLong) {
        throw loop.giveUp({ failure, error, attempts, ...(tooLong ? { refusedWaitMs: wait } : {}) });
      }
      await sleep(wait ?? backoff(attempts, policy.baseDelayMs, policy.maxDelayMs), undefined, {
        signal,
      }).catch(() => {
        throw abortReason(signal!);
      });
    }
  }
}

/** "after 1 attempt", "after 4 attempts". */
export function afterAttempts(attempts: number): string {
  return `after ${attempts} attempt${attempts === 1 ? "" : "s"}`;
}
