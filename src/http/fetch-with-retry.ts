import { HttpRequestError } from "../errors.js";
import { nodeHttpFetch } from "./transport.js";
import { afterAttempts, isRetryableStatus, retryAfterOf, withRetries, type RetryPolicy } from "./retry.js";

export interface FetchRetryOptions {
  policy: RetryPolicy;
  /** Timeout of each attempt, response body included, in ms. */
  timeoutMs: number;
  /** The caller's signal: aborting it stops the request and any wait at once. */
  signal?: AbortSignal;
}

export interface HttpResult<T = string> {
  status: number;
  /** The body as the caller's `read` gave it (the text, by default). */
  body: T;
  /** Attempts it took, the successful one included. */
  attempts: number;
}

/** The first `max` characters of a response body, on one line, for error messages. */
export function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return "(empty body)";
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** An answer with a status that is not 2xx. */
class StatusFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Headers,
  ) {
    super(`HTTP ${status}: ${snippet(body)}`);
  }
}

/**
 * A 2xx answer whose body cannot be read (a proxy's HTML page, a body cut short): a server fault
 * like a 5xx, so retried, and failed over in a pool (see isServerFault).
 */
class UnreadableBody extends Error {
  constructor(
    readonly status: number,
    body: string,
    options: { cause: unknown },
  ) {
    super(`HTTP ${status} with a body that is not JSON: ${snippet(body)}`, options);
  }
}

/** No answer within the attempt's timeout. */
class AttemptTimeout extends Error {
  constructor(timeoutMs: number, options: { cause: unknown }) {
    super(`no response within ${timeoutMs} ms (timeout)`, options);
  }
}

function connectionFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `connection failed (${detail})`;
}

interface HttpFailure {
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
  detail: string;
}

function classify(error: unknown): HttpFailure {
  if (error instanceof StatusFailure) {
    return {
      retryable: isRetryableStatus(error.status),
      retryAfterMs: retryAfterOf(error.headers),
      status: error.status,
      detail: error.message,
    };
  }
  if (error instanceof UnreadableBody)
    return { retryable: true, status: error.status, detail: error.message };
  if (error instanceof AttemptTimeout) return { retryable: true, detail: error.message };
  return { retryable: true, detail: connectionFailure(error) };
}

/**
 * fetch with a timeout per attempt, retried by the one retry loop (see `withRetries`): retryable
 * statuses, timeouts, connection errors and a 2xx body that `read` cannot read (it throws) are
 * tried again. Returns the body as `read` gives it; throws an HttpRequestError that names the URL,
 * the last status and a snippet of the last body. When the caller's signal aborts, it rethrows the
 * signal's reason without retrying.
 */
export async function fetchWithRetry<T = string>(
  url: string,
  init: RequestInit,
  { policy, timeoutMs, signal }: FetchRetryOptions,
  read: (text: string) => T = (text) => text as T,
): Promise<HttpResult<T>> {
  return withRetries(
    async (attempts) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const response = await nodeHttpFetch(url, {
          ...init,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const text = await response.text();
        if (!response.ok) throw new StatusFailure(response.status, text, response.headers);
        let body: T;
        try {
          body = read(text);
        } catch (error) {
          throw new UnreadableBody(response.status, text, { cause: error });
        }
        return { status: response.status, body, attempts };
      } catch (error) {
        if (timeout.aborted && !(error instanceof StatusFailure || error instanceof UnreadableBody))
          throw new AttemptTimeout(timeoutMs, { cause: error });
        throw error;
      }
    },
    {
      policy,
      signal,
      classify,
      giveUp: ({ failure, error, attempts, refusedWaitMs }) => {
        const cause =
          error instanceof StatusFailure || error instanceof UnreadableBody ? undefined : { cause: error };
        if (!failure.retryable)
          return new HttpRequestError(failure.detail, url, failure.status, attempts, cause);
        const wait =
          refusedWaitMs === undefined
            ? ""
            : `; the server asked to retry after ${Math.ceil(refusedWaitMs / 1000)} s, ` +
              `longer than the longest wait allowed (maxDelayMs ${policy.maxDelayMs})`;
        return new HttpRequestError(
          `${failure.detail} (${afterAttempts(attempts)})${wait}`,
          url,
          failure.status,
          attempts,
          cause,
        );
      },
    },
  );
}

/**
 * POSTs JSON and parses a JSON answer; a 2xx body that is not JSON is retried like a 5xx, and in
 * the end an HttpRequestError with that 2xx status.
 */
export async function postJson(
  url: string,
  body: unknown,
  options: FetchRetryOptions & { headers?: Record<string, string> },
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
    (text) => JSON.parse(text) as unknown,
  );
  return { json: result.body, attempts: result.attempts };
}
