import type { RunnableConfig } from "@langchain/core/runnables";
import { HttpRequestError, RewardRequestError, TpoConfigError } from "../errors.js";
import { LLAMA3_CHAT_TEMPLATE, type ChatTemplateOption } from "./chat-template.js";
import { mapWithConcurrency } from "./concurrency.js";
import { postJson, snippet, type RetryOptions } from "./http.js";
import { HTTP_REWARD_KINDS, REWARD_KINDS, ResponseShapeError, type HttpRewardKind } from "./reward-kinds.js";
import { describeValue, type RewardItem, type RewardModel } from "./reward.js";

export interface HttpRewardModelOptions extends Omit<RetryOptions, "signal"> {
  /** The server's root URL, e.g. http://localhost:8000 (for `nim`, a trailing /v1 is accepted too). */
  url: string;
  kind: HttpRewardKind;
  /** The served model's name; sent as `model` (required by `nim`, ignored by `tei`). */
  model?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Responses per request for the batching kinds, `tei` and `sglang` (default 32, TEI's default limit). */
  batchSize?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** How `tei` and `sglang` turn a conversation into text (default: the Llama-3 template). */
  chatTemplate?: ChatTemplateOption;
  /** `nim`: the score dimension to use, e.g. "helpfulness" (default: the first one returned). */
  nimDimension?: string;
}

export interface HttpRewardModel extends RewardModel {
  readonly name: string;
  readonly kind: HttpRewardKind;
  /** The endpoint the requests go to. */
  readonly endpoint: string;
  requestCount(items: number): number;
}

const HINTS: Record<number, string> = {
  401: "check TPO_REWARD_API_KEY (the apiKey option)",
  403: "check TPO_REWARD_API_KEY (the apiKey option)",
  404: "check that TPO_REWARD_URL is the server's root URL and TPO_REWARD_KIND the kind of server it is",
  405: "check that TPO_REWARD_KIND is the kind of server at TPO_REWARD_URL",
  400: "check TPO_REWARD_MODEL and that the server serves a reward model",
  422: "check TPO_REWARD_MODEL and that the server serves a reward model",
};

function positiveInteger(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TpoConfigError(`createHttpRewardModel: ${option} must be a positive integer, not ${value}.`);
  }
  return value;
}

function endpointOf(url: string, kind: HttpRewardKind): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TpoConfigError(
      `The reward server URL "${url}" is not a URL; set TPO_REWARD_URL to e.g. http://localhost:8000.`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TpoConfigError(`The reward server URL "${url}" must start with http:// or https://.`);
  }
  let root = url.replace(/\/+$/, "");
  const path = REWARD_KINDS[kind].path;
  if (kind === "nim" && root.endsWith("/v1")) root = root.slice(0, -3);
  return root + path;
}

/**
 * A reward model behind an HTTP server: vLLM (`vllm-pooling`, `vllm-classify`), Hugging Face TEI
 * (`tei`), SGLang (`sglang`) or NVIDIA NIM (`nim`). See the README's "Reward models" section for
 * how to serve each.
 *
 * `vllm-pooling` and `vllm-classify` send the chat form with `use_activation: false`: without it,
 * vLLM applies the model's activation (a sigmoid for a single-label reward head), which squashes
 * the raw reward into (0, 1). vLLM versions before the `--runner pooling` option served reward
 * models with `--task reward`. Both vLLM kinds and `nim` send one conversation per request, up to
 * `concurrency` at once; `tei` and `sglang` send batches of up to `batchSize` templated texts.
 *
 * Requests are retried on 429, 408, 5xx, timeouts and connection errors, with exponential backoff
 * and jitter, honouring Retry-After, up to `maxAttempts`. Failures are RewardRequestErrors that name
 * the kind, the URL, the status and a snippet of what came back.
 */
export function createHttpRewardModel(options: HttpRewardModelOptions): HttpRewardModel {
  const { kind } = options;
  if (!HTTP_REWARD_KINDS.includes(kind)) {
    throw new TpoConfigError(
      `Unknown reward server kind "${String(kind)}"; use one of ${HTTP_REWARD_KINDS.join(", ")}.`,
    );
  }
  if (kind === "nim" && !options.model) {
    throw new TpoConfigError(
      'The "nim" reward kind needs the model name (TPO_REWARD_MODEL), e.g. nvidia/nemotron-4-340b-reward.',
    );
  }
  const spec = REWARD_KINDS[kind];
  const endpoint = endpointOf(options.url, kind);
  const batchSize = spec.batched ? positiveInteger(options.batchSize, 32, "batchSize") : 1;
  const concurrency = positiveInteger(options.concurrency, 8, "concurrency");
  const maxAttempts = positiveInteger(options.maxAttempts, 4, "maxAttempts");
  const settings = {
    model: options.model,
    chatTemplate: options.chatTemplate ?? LLAMA3_CHAT_TEMPLATE,
    nimDimension: options.nimDimension,
  };
  const headers = {
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  };
  const retry = {
    maxAttempts,
    timeoutMs:
      options.timeoutMs === undefined ? undefined : positiveInteger(options.timeoutMs, 0, "timeoutMs"),
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
  };
  const where = `${kind} reward server at ${endpoint}`;

  async function request(batch: RewardItem[], signal: AbortSignal): Promise<number[]> {
    let json: unknown;
    try {
      ({ json } = await postJson(endpoint, spec.body(batch, settings), { ...retry, headers, signal }));
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      const hint = error.status !== undefined ? HINTS[error.status] : undefined;
      throw new RewardRequestError(
        `The ${where} failed: ${error.detail}.${hint ? ` Hint: ${hint}.` : ""}`,
        kind,
        endpoint,
        error.status,
        { cause: error },
      );
    }
    try {
      return spec.parse(json, batch.length, settings);
    } catch (error) {
      if (!(error instanceof ResponseShapeError)) throw error;
      throw new RewardRequestError(
        `The ${where} answered HTTP 200 with a body of the wrong shape: ${error.message}. ` +
          `It sent: ${snippet(describeValue(json, Infinity))}. Check that TPO_REWARD_KIND matches the server.`,
        kind,
        endpoint,
        200,
      );
    }
  }

  return {
    name: `${kind} ${endpoint}`,
    kind,
    endpoint,
    requestCount: (items) => Math.ceil(items / batchSize),
    async score(items: RewardItem[], config?: RunnableConfig): Promise<number[]> {
      const batches: RewardItem[][] = [];
      for (let i = 0; i < items.length; i += batchSize) batches.push(items.slice(i, i + batchSize));
      const scores = await mapWithConcurrency(
        batches,
        concurrency,
        (batch, _index, signal) => request(batch, signal),
        config?.signal,
      );
      return scores.flat();
    },
  };
}
