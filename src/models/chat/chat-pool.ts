import type { OpenAIClient } from "@langchain/openai";
import { ModelRequestError } from "../../errors.js";
import { afterAttempts } from "../../http/retry.js";
import { redactUrls } from "../../http/redact.js";
import { ReplicaPool } from "../pool/replica-pool.js";
import { classifyModelFailure } from "./openai-failure.js";

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
 * The base URLs of a setting: a comma-separated list of servers of the same model, or one URL,
 * taken as it is (as before lists existed).
 */
export function baseUrlsOf(setting: string): string[] {
  const urls = setting
    .split(",")
    .map((url) => url.trim().replace(/\/+$/, ""))
    .filter((url) => url !== "");
  return urls.length > 1 ? urls : [setting.replace(/\/+$/, "")];
}

/**
 * The pool of a chat client's servers: `/chat/completions` of each base URL, probed with
 * `GET /models`. A request fails over on a connection failure, a timeout or a 5xx that its
 * retries did not cure; when every server failed, a ModelRequestError names them all.
 */
export function createChatPool(
  bases: string[],
  options: ChatPoolOptions & { timeoutMs?: number },
): ReplicaPool {
  const role = options.role ?? "chat";
  return new ReplicaPool(
    bases.map((base) => ({ url: `${base}/chat/completions`, probeUrl: `${base}/models` })),
    {
      role,
      affinity: options.affinity,
      coolOffMs: options.coolOffMs,
      classify: (error) => {
        if (!(error instanceof ModelRequestError)) return { failsOver: false, reason: String(error) };
        const failure = classifyModelFailure(error.cause, options.timeoutMs);
        const serverSide = failure.status === undefined || failure.status >= 500;
        return {
          failsOver: failure.retryable && serverSide,
          reason: `${failure.detail}, ${afterAttempts(error.attempts)}`,
        };
      },
      allDown: (message, lastError) => {
        const status = lastError instanceof ModelRequestError ? lastError.status : undefined;
        return new ModelRequestError(
          `${message} Start one of them, or check ${options.setting ?? `the ${role}'s base URLs`}.`,
          bases.map((base) => redactUrls(base)).join(", "),
          status,
          1,
          { cause: lastError },
        );
      },
    },
  );
}

/** A completion's prompt tokens and those the server read from its prefix cache. */
export function completionTokens(completion: unknown): { promptTokens: number; cachedPromptTokens: number } {
  const usage = (completion as OpenAIClient.Chat.Completions.ChatCompletion | null)?.usage;
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    cachedPromptTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}
