import type { OpenAIClient } from "@langchain/openai";
import { ModelRequestError } from "../../errors.js";
import { afterAttempts, isServerFault, type RetryPolicy } from "../../http/retry.js";
import { redactUrls } from "../../util/redact.js";
import { ReplicaPool, type Replica } from "../pool/replica-pool.js";
import { parseUrlList } from "../pool/url-list.js";
import { ROUTING_KEY_HEADER } from "../pool/routing-key.js";
import { classifyModelFailure } from "./openai-failure.js";
import { ChatRequestGaveUp, retryingChatFetch } from "./retrying-fetch.js";

/** How a chat client spreads its requests over several servers of the same model. */
export interface ChatPoolOptions {
  /** What the servers serve, as errors and usage figures name it (default "chat"). */
  role?: string;
  /**
   * Keep each query on one server and send its routing key (headers; `prompt_cache_key` to
   * OpenAI's own API). Off: no key is hashed or sent, requests go to the servers in turn. Default on.
   */
  affinity?: boolean;
  /** How long a failed server gets no traffic before it is probed (default 10 s). */
  coolOffMs?: number;
  /** Where the servers were set, for the hint of the error when all are down (e.g. "OPENAI_BASE_URL"). */
  setting?: string;
}

/**
 * The base URLs of a setting: a comma-separated list of servers of the same model, or one URL
 * (see parseUrlList), each without its trailing slashes.
 */
export function baseUrlsOf(setting: string, name: string): string[] {
  return parseUrlList(setting, name).map((url) => url.replace(/\/+$/, ""));
}

export interface PooledFetchOptions extends ChatPoolOptions {
  /** The servers' base URLs; the OpenAI SDK is given the first, and requests are sent to the chosen one. */
  bases: string[];
  /** The transport of each attempt. */
  fetch: typeof fetch;
  policy: RetryPolicy;
  /** Timeout of one attempt. */
  timeoutMs?: number;
}

/** A completion's prompt tokens and those the server read from its prefix cache. */
function completionTokens(body: string): { promptTokens: number; cachedPromptTokens: number } {
  try {
    const usage = (JSON.parse(body) as OpenAIClient.Chat.Completions.ChatCompletion | null)?.usage;
    return {
      promptTokens: usage?.prompt_tokens ?? 0,
      cachedPromptTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    };
  } catch {
    // The SDK reports a body that is not JSON.
    return { promptTokens: 0, cachedPromptTokens: 0 };
  }
}

/** A response and what it tells about its tokens (an event stream: nothing). */
interface Answer {
  response: Response;
  tokens?: { promptTokens: number; cachedPromptTokens: number };
}

/** The answer, its body read once to count its tokens and handed on unread to the SDK. */
async function withTokens(response: Response): Promise<Answer> {
  if (!(response.headers.get("content-type") ?? "").includes("application/json")) return { response };
  const body = await response.text();
  const copy = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  return { response: copy, tokens: completionTokens(body) };
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * The fetch given to the OpenAI SDK for several servers of a model. The SDK builds each request's
 * URL on the first server's base URL; this fetch sends it to the server the pool chooses for the
 * request's routing key (its `x-session-id` header), retried there with the policy, and on to the
 * next server when that one fails (a connection failure, a timeout or a 5xx after the retries).
 * Per server, it counts requests, failures and the prompt tokens read from its prefix cache. When
 * every server failed, it throws a ChatRequestGaveUp whose ModelRequestError names them all.
 */
export function pooledChatFetch(options: PooledFetchOptions): typeof fetch {
  const { bases } = options;
  const role = options.role ?? "chat";
  const affinity = options.affinity ?? true;
  const replicas = bases.map((base) => ({ url: `${base}/chat/completions`, probeUrl: `${base}/models` }));
  const baseOf = new Map(replicas.map((replica, i) => [replica.url, bases[i]]));
  const fetches = new Map(
    replicas.map((replica) => [
      replica.url,
      retryingChatFetch({
        fetch: options.fetch,
        policy: options.policy,
        endpoint: redactUrls(replica.url),
        timeoutMs: options.timeoutMs,
      }),
    ]),
  );
  const pool = new ReplicaPool(replicas, {
    role,
    affinity,
    coolOffMs: options.coolOffMs,
    classify: (error) => {
      if (!(error instanceof ChatRequestGaveUp)) return { failsOver: false, reason: String(error) };
      const failure = classifyModelFailure(error.error.cause, options.timeoutMs);
      return {
        failsOver: failure.retryable && isServerFault(failure.status),
        reason: `${failure.detail}, ${afterAttempts(error.error.attempts)}`,
      };
    },
    allDown: (message, lastError) => {
      const last = lastError instanceof ChatRequestGaveUp ? lastError.error : undefined;
      return new ChatRequestGaveUp(
        new ModelRequestError(
          `${message} Start one of them, or check ${options.setting ?? `the ${role}'s base URLs`}.`,
          bases.map((base) => redactUrls(base)).join(", "),
          last?.status,
          1,
          { cause: last },
        ),
      );
    },
  });
  // Where the SDK's URLs start: the rest (path and query) goes after the chosen server's base.
  const sdkBase = new URL(bases[0]);
  const sdkPath = sdkBase.pathname.replace(/\/+$/, "");
  return async (input, init) => {
    const url = new URL(urlOf(input));
    const rest = url.pathname.startsWith(sdkPath) ? url.pathname.slice(sdkPath.length) : url.pathname;
    const key = affinity ? (new Headers(init?.headers).get(ROUTING_KEY_HEADER) ?? undefined) : undefined;
    const send = (replica: Replica) =>
      fetches.get(replica.url)!(`${baseOf.get(replica.url)}${rest}${url.search}`, init).then(withTokens);
    const answer = await pool.send(key, send, {
      signal: init?.signal ?? undefined,
      tokensOf: (a) => a.tokens ?? {},
    });
    return answer.response;
  };
}
