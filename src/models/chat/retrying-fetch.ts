import type { ModelRequestError } from "../../errors.js";
import { snippet } from "../../http/fetch-with-retry.js";
import { withRetries, type RetryPolicy } from "../../http/retry.js";
import { classifyModelFailure, modelRequestError } from "./openai-failure.js";

/** The OpenAI SDK's default timeout of one request: ten minutes. */
export const SDK_TIMEOUT_MS = 600_000;

/**
 * A chat completion answered with a status that is not 2xx, shaped as the OpenAI SDK's APIError
 * is where `classifyModelFailure` reads it: `status`, `code`, `headers`, and a message of the
 * status and the server's own message.
 */
export class ChatCompletionStatusError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly status: number,
    readonly headers: Headers,
    body: string,
  ) {
    const error = errorOf(body);
    // The server's message, else the start of the body (an HTML error page can be long).
    const detail = typeof error?.message === "string" ? error.message : snippet(body);
    super(`${status} ${detail}`);
    this.name = "ChatCompletionStatusError";
    this.code = typeof error?.code === "string" ? error.code : undefined;
  }
}

/**
 * A 2xx chat completion whose body is not a JSON object (a proxy's HTML page, a body cut short):
 * a server fault like a 5xx, retried and, in a pool, failed over (see classifyModelFailure).
 */
export class UnreadableChatAnswer extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`a body that is not JSON: ${snippet(body)}`);
    this.name = "UnreadableChatAnswer";
  }
}

/**
 * The answer with its body checked, handed on unread: an event stream as it is, anything else
 * must be a JSON object.
 */
async function readable(response: Response): Promise<Response> {
  if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) return response;
  const body = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UnreadableChatAnswer(response.status, body);
  }
  if (json === null || typeof json !== "object") throw new UnreadableChatAnswer(response.status, body);
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
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
 * What the retrying fetch throws when its retries end: the ModelRequestError to report, carried
 * through the OpenAI SDK (which wraps whatever a fetch throws) to TpoChatOpenAI, which throws it.
 * Its own message avoids the words that the SDK reads as a timeout, which would drop it.
 */
export class ChatRequestGaveUp extends Error {
  constructor(readonly error: ModelRequestError) {
    super("the chat completion request failed for good");
    this.name = "ChatRequestGaveUp";
  }
}

export interface RetryingFetchOptions {
  /** The transport of each attempt: the caller's fetch, or nodeHttpFetch. */
  fetch: typeof fetch;
  policy: RetryPolicy;
  /** The chat completions URL as errors name it (no credentials). */
  endpoint: string;
  /** Timeout of one attempt until the response (a whole body, or an event stream's start). */
  timeoutMs?: number;
}

/** The longest a whole retried request can take: what the SDK's own timeout is set to, so it never cuts one. */
export function retriedRequestBoundMs(policy: RetryPolicy, timeoutMs = SDK_TIMEOUT_MS): number {
  const bound = (policy.maxRetries + 1) * timeoutMs + policy.maxRetries * policy.maxDelayMs + 60_000;
  // setTimeout (which the SDK uses) fires at once past 2^31 - 1 ms.
  return Math.min(bound, 2 ** 31 - 1);
}

/**
 * One attempt: the transport's answer, a ChatCompletionStatusError for a status that is not 2xx, or
 * an UnreadableChatAnswer for a 2xx that is not JSON.
 */
async function attempt(
  url: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  { fetch: transport, timeoutMs = SDK_TIMEOUT_MS }: RetryingFetchOptions,
): Promise<Response> {
  // The attempt's own signal: its timeout, and the caller's abort, which also cuts an event
  // stream after the response has started (the caller's signal ends with its request).
  const controller = new AbortController();
  const caller = init?.signal;
  if (caller) caller.addEventListener("abort", () => controller.abort(caller.reason), { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException("The operation timed out.", "TimeoutError")),
    timeoutMs,
  );
  try {
    const response = await transport(url, { ...init, signal: controller.signal });
    if (response.ok) return await readable(response);
    throw new ChatCompletionStatusError(response.status, response.headers, await response.text());
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A fetch for the OpenAI SDK (`configuration.fetch`) that retries a failed chat completion with
 * our policy: 408, 409, 429, 5xx, timeouts and connection errors, with exponential backoff,
 * jitter and Retry-After; each attempt has its own timeout. When the retries end, or on a failure
 * not worth retrying (a 400, a 401, …), it throws a ChatRequestGaveUp holding the
 * ModelRequestError that names the endpoint, the last failure and the attempts. The caller's abort
 * (the SDK's signal) ends it at once, with the signal's reason.
 */
export function retryingChatFetch(options: RetryingFetchOptions): typeof fetch {
  return async (url, init) => {
    const signal = init?.signal ?? undefined;
    return withRetries(() => attempt(url, init, options), {
      policy: options.policy,
      signal,
      classify: (error) => classifyModelFailure(error, options.timeoutMs),
      giveUp: (outcome) => new ChatRequestGaveUp(modelRequestError(options.endpoint, outcome)),
    });
  };
}
