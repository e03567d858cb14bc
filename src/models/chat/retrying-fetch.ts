import type { ModelRequestError } from "../../errors.js";
import { fetchWithRetry, UnreadableBody } from "../../http/fetch-with-retry.js";
import type { RetryPolicy } from "../../http/retry.js";
import { classifyModelFailure, modelRequestError } from "./openai-failure.js";

/** The OpenAI SDK's default timeout of one request: ten minutes. */
export const SDK_TIMEOUT_MS = 600_000;

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
    throw new UnreadableBody(response.status, body);
  }
  if (json === null || typeof json !== "object") throw new UnreadableBody(response.status, body);
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
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
 * A fetch for the OpenAI SDK (`configuration.fetch`) that retries a failed chat completion with
 * our policy: 408, 409, 429, 5xx, timeouts and connection errors, with exponential backoff,
 * jitter and Retry-After; each attempt has its own timeout. When the retries end, or on a failure
 * not worth retrying (a 400, a 401, …), it throws a ChatRequestGaveUp holding the
 * ModelRequestError that names the endpoint, the last failure and the attempts. The caller's abort
 * (the SDK's signal) ends it at once, with the signal's reason.
 */
export function retryingChatFetch(options: RetryingFetchOptions): typeof fetch {
  const timeoutMs = options.timeoutMs ?? SDK_TIMEOUT_MS;
  return async (url, init) => {
    const { answer } = await fetchWithRetry(
      url,
      init,
      {
        fetch: options.fetch,
        policy: options.policy,
        timeoutMs,
        signal: init?.signal ?? undefined,
        classify: (error) => classifyModelFailure(error, options.timeoutMs),
        giveUp: (outcome) => new ChatRequestGaveUp(modelRequestError(options.endpoint, outcome)),
      },
      readable,
    );
    return answer;
  };
}
