import type { OpenAIClient } from "@langchain/openai";
import { snippet } from "../../http/fetch-with-retry.js";
import { nodeHttpFetch } from "../../http/transport.js";

/** The OpenAI SDK's default timeout of one request: ten minutes. */
const SDK_TIMEOUT_MS = 600_000;

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

function errorOf(body: string): { message?: unknown; code?: unknown } | undefined {
  try {
    const json = JSON.parse(body) as { error?: unknown } | null;
    const error = json && typeof json === "object" && "error" in json ? json.error : json;
    return error && typeof error === "object" ? error : undefined;
  } catch {
    return undefined;
  }
}

export interface ChatCompletionPost {
  /** The chat completions URL: the base URL and `/chat/completions`. */
  url: string;
  headers: Record<string, string>;
  /** Timeout of the attempt, response body included (default: the SDK's ten minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One non-streamed chat completion, POSTed straight over `nodeHttpFetch`: the request the OpenAI
 * SDK would send, without its client, header merging, request logging and promise wrappers, which
 * cost about as much client CPU per request as the HTTP exchange itself (see bench/findings.md).
 * Failures keep the shapes that `classifyModelFailure` reads: a ChatCompletionStatusError, the
 * signal's reason on abort or timeout (a "TimeoutError"), fetch's TypeError on a connection
 * failure, a SyntaxError for a body that is not JSON.
 */
export async function postChatCompletion(
  request: OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming,
  { url, headers, timeoutMs, signal }: ChatCompletionPost,
): Promise<OpenAIClient.Chat.Completions.ChatCompletion> {
  const timeout = AbortSignal.timeout(timeoutMs ?? SDK_TIMEOUT_MS);
  const response = await nodeHttpFetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(request),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const text = await response.text();
  if (!response.ok) throw new ChatCompletionStatusError(response.status, response.headers, text);
  return JSON.parse(text) as OpenAIClient.Chat.Completions.ChatCompletion;
}
