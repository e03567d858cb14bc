import { HttpRequestError } from "../errors.js";
import { nodeHttpFetch } from "./transport.js";
import {
  afterAttempts,
  retryableAnswer,
  retryAfterOf,
  withRetries,
  type AttemptFailure,
  type GaveUp,
  type RetryPolicy,
} from "./retry.js";

/** The first `max` characters of a response body, on one line, for error messages. */
export function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return "(empty body)";
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function errorOf(body: string): { message?: unknown; code?: unknown } | undefined {
  try {
    const json = JSON.parse(body) as { error?: unknown } | null;
    const error = json && typeof json === "object" && "error" in json ? json.error : json;
    return error && typeof error === "object" ? error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An answer with a status that is not 2xx: the one status error of every retried request. Shaped
 * as the OpenAI SDK's APIError is where the classifiers read it: `status`, `code`, `headers`, and
 * a message of the status and the server's own message (else the start of the body).
 */
export class HttpStatusError extends Error {
  /** The server's error code (OpenAI's `error.code`), when its body gives one. */
  readonly code: string | undefined;

  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string,
  ) {
    const error = errorOf(body);
    super(`${status} ${typeof error?.message === "string" ? error.message : snippet(body)}`);
    this.name = "HttpStatusError";
    this.code = typeof error?.code === "string" ? error.code : undefined;
  }
}

/**
 * A 2xx answer whose body cannot be read (a proxy's HTML page, a body cut short): a server fault
 * like a 5xx, so retried, and failed over in a pool (see isServerFault).
 */
export class UnreadableBody extends Error {
  constructor(
    readonly status: number,
    body: string,
    options?: { cause?: unknown },
  ) {
    super(`a body that is not JSON: ${snippet(body)}`, options);
    this.name = "UnreadableBody";
  }
}

/** No answer within the attempt's timeout (named as fetch names its own timeouts). */
export class AttemptTimeout extends Error {
  constructor(
    readonly timeoutMs: number,
    options: { cause: unknown },
  ) {
    super(`no response within ${timeoutMs} ms`, options);
    this.name = "TimeoutError";
  }
}

export interface FetchRetryOptions {
  policy: RetryPolicy;
  /** Timeout of each attempt until its answer is read (an event stream: until it starts), in ms. */
  timeoutMs: number;
  /** The caller's signal: aborting it stops the request (an event stream included) and any wait at once. */
  signal?: AbortSignal;
  /** The transport of each attempt (default: nodeHttpFetch). */
  fetch?: typeof fetch;
}

export interface RetriedFetch<F extends AttemptFailure> extends FetchRetryOptions {
  /** Reads a failed attempt's error (an HttpStatusError, UnreadableBody, AttemptTimeout or the transport's). */
  classify(error: unknown): F;
  /** The error to throw when the retries end. */
  giveUp(outcome: GaveUp<F>): Error;
}

/** One attempt: `read`'s answer, an HttpStatusError for a status that is not 2xx, an AttemptTimeout. */
async function attempt<T>(
  url: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  { timeoutMs, signal, fetch: transport = nodeHttpFetch }: FetchRetryOptions,
  read: (response: Response) => Promise<T>,
): Promise<T> {
  // A timer of its own rather than AbortSignal.timeout: it stops once the answer is read, so that
  // an event stream runs on; the caller's abort still cuts it.
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new DOMException("The operation timed out.", "TimeoutError")),
    timeoutMs,
  );
  try {
    const response = await transport(url, {
      ...init,
      signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
    });
    if (!response.ok) throw new HttpStatusError(response.status, response.headers, await response.text());
    return await read(response);
  } catch (error) {
    if (timeout.signal.aborted && !(error instanceof HttpStatusError || error instanceof UnreadableBody))
      throw new AttemptTimeout(timeoutMs, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The one retrying fetch: each attempt with its own timeout, retried by the one retry loop
 * (`withRetries`) as `classify` says, with backoff and Retry-After; `read` takes a 2xx answer and
 * throws an UnreadableBody when it cannot read it (a server fault, retried like a 5xx). Returns
 * `read`'s value and the attempts it took; when the retries end, `giveUp`'s error. The caller's
 * signal ends it at once, with the signal's reason.
 */
export async function fetchWithRetry<T, F extends AttemptFailure>(
  url: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  options: RetriedFetch<F>,
  read: (response: Response) => Promise<T>,
): Promise<{ answer: T; attempts: number }> {
  return withRetries(async (attempts) => ({ answer: await attempt(url, init, options, read), attempts }), {
    policy: options.policy,
    signal: options.signal,
    classify: options.classify,
    giveUp: options.giveUp,
  });
}

/** A failed attempt of a request to a reward (or other JSON) server, as its error names it. */
interface HttpFailure extends AttemptFailure {
  status?: number;
  detail: string;
}

function connectionFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `connection failed (${detail})`;
}

function httpFailureOf(error: unknown): HttpFailure {
  if (error instanceof HttpStatusError) {
    return {
      retryable: retryableAnswer(error.status, error),
      retryAfterMs: retryAfterOf(error.headers),
      status: error.status,
      detail: `HTTP ${error.status}: ${snippet(error.body)}`,
    };
  }
  if (error instanceof UnreadableBody)
    return { retryable: true, status: error.status, detail: `HTTP ${error.status} with ${error.message}` };
  if (error instanceof AttemptTimeout) return { retryable: true, detail: `${error.message} (timeout)` };
  return { retryable: true, detail: connectionFailure(error) };
}

/** The answer's body as JSON; one that is not JSON is an UnreadableBody. */
async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UnreadableBody(response.status, text, { cause: error });
  }
}

/**
 * POSTs JSON and parses a JSON answer, retried (see fetchWithRetry): statuses 408, 409, 429, 5xx,
 * timeouts, connection errors and a 2xx body that is not JSON are tried again. In the end an
 * HttpRequestError that names the URL, the last status and a snippet of the last body.
 */
export async function postJson(
  url: string,
  body: unknown,
  options: FetchRetryOptions & { headers?: Record<string, string> },
): Promise<{ json: unknown; attempts: number }> {
  const { headers, ...retry } = options;
  const { policy } = retry;
  const { answer, attempts } = await fetchWithRetry(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify(body),
    },
    {
      ...retry,
      classify: httpFailureOf,
      giveUp: ({ failure, error, attempts, refusedWaitMs }) => {
        const cause =
          error instanceof HttpStatusError || error instanceof UnreadableBody ? undefined : { cause: error };
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
    jsonOf,
  );
  return { json: answer, attempts };
}
