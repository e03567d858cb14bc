import type { RunnableConfig } from "@langchain/core/runnables";
import { HttpRequestError, RewardLabelError, RewardRequestError, TpoConfigError } from "../../errors.js";
import { LLAMA3_BOS, LLAMA3_CHAT_TEMPLATE, type ChatTemplateOption } from "./chat-template.js";
import { mapWithConcurrency } from "../../util/map-with-concurrency.js";
import { postJson, snippet } from "../../http/fetch-with-retry.js";
import { isServerFault, retryPolicy, type RetryPolicy } from "../../http/retry.js";
import {
  HTTP_REWARD_KINDS,
  LabelChoiceError,
  REWARD_KINDS,
  ResponseShapeError,
  type HttpRewardKind,
  type RewardKindSpec,
} from "./reward-kinds.js";
import { REWARD_TEMPLATE_SETTING } from "./reward-template.js";
import { redactUrls } from "../../util/redact.js";
import { describeValue, type RewardItem, type RewardModel } from "./reward-model.js";
import { ReplicaPool, type Replica } from "../pool/replica-pool.js";
import { parseUrlList } from "../pool/url-list.js";
import { routingHeaders, routingKeyOf } from "../pool/routing-key.js";

export interface HttpRewardModelOptions {
  /**
   * The server's root URL, e.g. http://localhost:8000 (for `nim`, a trailing /v1 is accepted too);
   * several servers of the same model separated by commas (see `affinity`).
   */
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
  /**
   * How `tei` and `sglang` turn a conversation into text (default: the Llama-3 template). These
   * servers add the begin-of-sequence token themselves, so the template's `bos` is left out.
   */
  chatTemplate?: ChatTemplateOption;
  /** `nim`: the score dimension to use, e.g. "helpfulness" (default: the first one returned). */
  nimDimension?: string;
  /**
   * `vllm-pooling`, `vllm-classify`: which label (from 0) is the reward when the server returns
   * several values per item. Without it, an answer with several labels fails with a
   * RewardLabelError rather than guessing.
   */
  labelIndex?: number;
  /** Timeout of each attempt, response body included, in ms (default 60 000). */
  timeoutMs?: number;
  /** Retries of failed requests, over DEFAULT_RETRY_POLICY (3 retries, so 4 attempts). */
  retry?: Partial<RetryPolicy>;
  /**
   * With several servers: keep each query on one of them (by its routing key) and send the key
   * as headers (X-Session-ID, X-SMG-Routing-Key, x-litellm-session-id). Off: no key is hashed or
   * sent, and requests go to the servers in turn. Default on.
   */
  affinity?: boolean;
  /** With several servers: how long a failed one gets no traffic before it is probed (default 10 s). */
  coolOffMs?: number;
}

export interface HttpRewardModel extends RewardModel {
  readonly name: string;
  readonly kind: HttpRewardKind;
  /** The endpoint the requests go to (credentials in its URL hidden, as messages show it). */
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

/** Reward servers answer in seconds; a minute without an answer is a fault worth a retry. */
const DEFAULT_TIMEOUT_MS = 60_000;

const LABEL_SETTING = "--reward-label / TPO_REWARD_LABEL (the labelIndex option)";

function kindsWith(has: (spec: RewardKindSpec) => boolean): string {
  return HTTP_REWARD_KINDS.filter((kind) => has(REWARD_KINDS[kind])).join(" and ");
}

function checkLabelIndex(kind: HttpRewardKind, index: number | undefined): void {
  if (index === undefined) return;
  if (!Number.isInteger(index) || index < 0) {
    throw new TpoConfigError(`${LABEL_SETTING} must be a whole number of 0 or more, not ${index}.`);
  }
  if (!REWARD_KINDS[kind].labels) {
    throw new TpoConfigError(
      `${LABEL_SETTING} applies to the ${kindsWith((s) => s.labels === true)} kinds, not ${kind}; unset it.`,
    );
  }
}

function checkChatTemplate(kind: HttpRewardKind, template: ChatTemplateOption | undefined): void {
  if (template === undefined) return;
  const uses = REWARD_KINDS[kind].template;
  if (!uses) {
    throw new TpoConfigError(
      `The reward template (${REWARD_TEMPLATE_SETTING}, the chatTemplate option) applies to the ` +
        `${kindsWith((s) => s.template !== undefined)} kinds, not ${kind}, whose server applies the ` +
        `model's own chat template; unset it.`,
    );
  }
  if (!uses.serverAddsBos || typeof template !== "object") return;
  const bos = [template.bos, LLAMA3_BOS].find((token) => token && template.begin?.startsWith(token));
  if (bos) {
    throw new TpoConfigError(
      `The reward template's "begin" starts with ${bos}, which the ${kind} server's tokenizer adds ` +
        `itself: the model would see it twice. Put it in "bos" instead (left out for servers that add it).`,
    );
  }
}

function endpointOf(url: string, kind: HttpRewardKind): string {
  return rootOf(url, kind) + REWARD_KINDS[kind].path;
}

function rootOf(url: string, kind: HttpRewardKind): string {
  const root = url.replace(/\/+$/, "");
  return kind === "nim" && root.endsWith("/v1") ? root.slice(0, -3) : root;
}

/** The route that says a server is up: NIM's readiness route, the others' /health. */
function healthUrlOf(url: string, kind: HttpRewardKind): string {
  return `${rootOf(url, kind)}${kind === "nim" ? "/v1/health/ready" : "/health"}`;
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
 * Requests are retried on 408, 409, 429, 5xx, timeouts and connection errors, with exponential
 * backoff and jitter, honouring Retry-After, as the `retry` policy says (the same policy, defaults
 * and statuses as the policy model's). Failures are RewardRequestErrors that name the kind, the
 * URL, the status and a snippet of what came back.
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
  checkLabelIndex(kind, options.labelIndex);
  checkChatTemplate(kind, options.chatTemplate);
  const spec = REWARD_KINDS[kind];
  const urls = parseUrlList(options.url, "TPO_REWARD_URL (the url option)");
  const endpoints = urls.map((url) => endpointOf(url, kind));
  const affinity = options.affinity ?? true;
  const batchSize = spec.batched ? positiveInteger(options.batchSize, 32, "batchSize") : 1;
  const concurrency = positiveInteger(options.concurrency, 8, "concurrency");
  const settings = {
    model: options.model,
    chatTemplate: options.chatTemplate ?? LLAMA3_CHAT_TEMPLATE,
    nimDimension: options.nimDimension,
    labelIndex: options.labelIndex,
  };
  const headers = {
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  };
  const retry = {
    policy: retryPolicy(options.retry),
    timeoutMs: positiveInteger(options.timeoutMs, DEFAULT_TIMEOUT_MS, "timeoutMs"),
  };
  // What messages, names and traces show: the endpoints without the credentials a URL may hold.
  const shown = endpoints.map((endpoint) => redactUrls(endpoint)).join(", ");
  const pool = new ReplicaPool(
    endpoints.map((endpoint, i) => ({ url: endpoint, probeUrl: healthUrlOf(urls[i], kind) })),
    {
      role: "reward",
      affinity,
      coolOffMs: options.coolOffMs,
      classify: (error) =>
        error instanceof HttpRequestError
          ? { failsOver: isServerFault(error.status), reason: error.detail }
          : { failsOver: false, reason: String(error) },
      allDown: (message, lastError) =>
        new RewardRequestError(
          `${message} Start one of them, or check TPO_REWARD_URL.`,
          kind,
          shown,
          lastError instanceof HttpRequestError ? lastError.status : undefined,
          { cause: lastError },
        ),
    },
  );

  async function request(
    batch: RewardItem[],
    signal: AbortSignal,
    key: string | undefined,
  ): Promise<number[]> {
    const sent = key === undefined ? headers : { ...headers, ...routingHeaders(key) };
    const body = spec.body(batch, settings);
    let json: unknown;
    let answered: Replica;
    try {
      ({ json, answered } = await pool.send(
        key,
        async (replica) => ({
          json: (await postJson(replica.url, body, { ...retry, headers: sent, signal })).json,
          answered: replica,
        }),
        { signal },
      ));
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      const hint = error.status !== undefined ? HINTS[error.status] : undefined;
      throw new RewardRequestError(
        `The ${kind} reward server at ${redactUrls(error.url)} failed: ${error.detail}.${hint ? ` Hint: ${hint}.` : ""}`,
        kind,
        redactUrls(error.url),
        error.status,
        { cause: error },
      );
    }
    const where = `${kind} reward server at ${answered.shown}`;
    try {
      return spec.parse(json, batch.length, settings);
    } catch (error) {
      if (error instanceof LabelChoiceError) throw labelError(error, json, where, answered.shown);
      if (!(error instanceof ResponseShapeError)) throw error;
      throw new RewardRequestError(
        `The ${where} answered HTTP 200 with a body of the wrong shape: ${error.message}. ` +
          `It sent: ${snippet(describeValue(json, Infinity))}. Check that TPO_REWARD_KIND matches the server.`,
        kind,
        answered.shown,
        200,
      );
    }
  }

  function labelError(error: LabelChoiceError, json: unknown, where: string, url: string): RewardLabelError {
    const range = error.labels > 1 ? `0 to ${error.labels - 1}` : "0";
    const what = `The ${where} returned ${error.labels} value${error.labels > 1 ? "s" : ""} per item (one per label)`;
    const fix =
      error.index === undefined
        ? `set ${LABEL_SETTING} to the index of the reward label (${range})`
        : `${LABEL_SETTING} is ${error.index}; set it to the index of the reward label (${range})`;
    return new RewardLabelError(
      `${what}; ${fix}. It sent: ${snippet(describeValue(json, Infinity))}.`,
      kind,
      url,
      error.labels,
    );
  }

  return {
    name: `${kind} ${shown}`,
    kind,
    endpoint: shown,
    requestCount: (items) => Math.ceil(items / batchSize),
    async score(items: RewardItem[], config?: RunnableConfig): Promise<number[]> {
      const batches: RewardItem[][] = [];
      for (let i = 0; i < items.length; i += batchSize) batches.push(items.slice(i, i + batchSize));
      const key = affinity ? routingKeyOf(config) : undefined;
      const scores = await mapWithConcurrency(
        batches,
        concurrency,
        (batch, _index, signal) => request(batch, signal, key),
        config?.signal,
      );
      return scores.flat();
    },
  };
}
