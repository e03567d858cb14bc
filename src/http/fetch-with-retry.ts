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

export interface HttpResult {
  status: number;
  text: string;
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
  if (error instanceof AttemptTimeout) return { retryable: true, detail: error.message };
  return { retryable: true, detail: connectionFailure(error) };
}

/**
 * fetch with a timeout per attempt, retried by the one retry loop (see `withRetries`): retryable
 * statuses, timeouts and connection errors are tried again. Returns the body as text; throws an
 * HttpRequestError that names the URL, the last status and a snippet of the last body. When the
 * caller's signal aborts, it rethrows the signal's reason without retrying.
 */
export async function fetchWithRetry(
  url: string,
  init: RequestInit,
  { policy, timeoutMs, signal }: FetchRetryOptions,
): Promise<HttpResult> {
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
        return { status: response.status, text, attempts };
      } catch (error) {
        if (timeout.aborted && !(error instanceof StatusFailure))
          throw new AttemptTimeout(timeoutMs, { cause: error });
        throw error;
      }
    },
    {
      policy,
      signal,
      classify,
      giveUp: ({ failure, error, attempts, refusedWaitMs }) => {
        const cause = error instanceof StatusFailure ? undefined : { cause: error };
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

/** POSTs JSON and parses a JSON answer; a body that is not JSON is an HttpRequestError. */
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
