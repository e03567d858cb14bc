import { getMaxListeners, setMaxListeners } from "node:events";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatGeneration, LLMResult } from "@langchain/core/outputs";
import type { RunnableConfig } from "@langchain/core/runnables";
import { ModelRequestError } from "../../errors.js";
import type { SamplingSettings } from "../../settings/step-sampling.js";
import { modelWithSampling, warnIgnoredSettings } from "./sampling-call-options.js";
import { routingKeyOf } from "../pool/routing-key.js";
import { countReplicaUsage, type ReplicaUsage } from "../pool/replica-usage.js";
import { cachedRequest, type CachedResponse, type ResponseCache } from "./response-cache.js";

/**
 * Sampling settings of one request. They are sent as call options, and set as fields of a view of
 * the model for models that read them from fields (see sampling-call-options.ts).
 */
export interface SamplingCallOptions {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  /** How many choices one request should return. */
  n?: number;
  /** Stop strings: a call option of every LangChain chat model, never a field of a view. */
  stop?: string[];
}

export type { SamplingSettings };

/** What model requests cost, as the state's `usage` counts it. */
export interface RequestUsage {
  modelRequests: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  /** Per server, for clients with several servers of a model (see src/models/pool). */
  replicas?: ReplicaUsage;
  /** The part of the counts above that a response cache answered: no request was sent for it. */
  fromCache?: CacheCounts;
}

/** Requests and tokens that a cache answered. */
export interface CacheCounts {
  modelRequests: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

export type SamplingMethod = "auto" | "n" | "parallel";

export interface SampleResult {
  /** One entry per sample that arrived, in order; empty strings included. */
  texts: string[];
  usage: Partial<RequestUsage>;
  /** What was actually used: "n", "parallel", or "n+parallel" when a server returned too few choices. */
  method: "n" | "parallel" | "n+parallel";
  /** Requests that failed for good (after their retries), when the caller tolerates failures. */
  errors: unknown[];
}

export interface SampleOptions {
  /**
   * Keep the samples that arrived when some requests fail (update does; generate does not). When
   * none arrived, the first failure is thrown anyway.
   */
  tolerateFailures?: boolean;
  /** Where responses to seeded requests are kept and reused (see response-cache.ts). */
  cache?: ResponseCache;
}

function callOptions(settings: SamplingSettings, n: number, offset: number): SamplingCallOptions {
  return withStop(
    {
      temperature: settings.temperature,
      topP: settings.topP,
      maxTokens: settings.maxTokens,
      seed: settings.seed === undefined ? undefined : settings.seed + offset,
      n,
    },
    settings.stop,
  );
}

/** The options with the stop strings, when there are any: none leaves the model's own stop alone. */
function withStop<T extends SamplingCallOptions>(options: T, stop: string[] | undefined): T {
  return stop === undefined || stop.length === 0 ? options : { ...options, stop };
}

interface UsageMetadata {
  input_tokens: number;
  output_tokens: number;
  input_token_details?: { cache_read?: number };
}

/**
 * Prompt tokens the server read from its prefix cache: LangChain puts OpenAI's and vLLM's
 * `usage.prompt_tokens_details.cached_tokens` in each choice's `usage_metadata.input_token_details.cache_read`
 * (one request's prompt, so the largest, not the sum).
 */
function cachedTokensOf(result: LLMResult): number {
  let cached = 0;
  for (const generation of result.generations.flat() as ChatGeneration[]) {
    const message = generation.message as
      | {
          usage_metadata?: UsageMetadata;
          response_metadata?: { usage?: { prompt_tokens_details?: { cached_tokens?: number } } };
        }
      | undefined;
    const read =
      message?.usage_metadata?.input_token_details?.cache_read ??
      message?.response_metadata?.usage?.prompt_tokens_details?.cached_tokens;
    if (typeof read === "number") cached = Math.max(cached, read);
  }
  return cached;
}

function usageOf(result: LLMResult): CachedResponse["usage"] {
  const cachedPromptTokens = cachedTokensOf(result);
  const tokenUsage = result.llmOutput?.tokenUsage as
    { promptTokens?: number; completionTokens?: number } | undefined;
  if (tokenUsage) {
    return {
      promptTokens: tokenUsage.promptTokens ?? 0,
      cachedPromptTokens,
      completionTokens: tokenUsage.completionTokens ?? 0,
    };
  }
  let promptTokens = 0;
  let completionTokens = 0;
  for (const generation of result.generations.flat() as ChatGeneration[]) {
    const usage = (generation.message as { usage_metadata?: UsageMetadata })?.usage_metadata;
    if (usage) {
      promptTokens = Math.max(promptTokens, usage.input_tokens);
      completionTokens += usage.output_tokens;
    }
  }
  return { promptTokens, cachedPromptTokens, completionTokens };
}

/**
 * One request with these settings, wherever the model reads them. A model that cannot take a
 * setting is warned about once; `n` only when the caller does not top up missing choices itself.
 */
async function request(
  model: BaseChatModel,
  messages: BaseMessage[],
  options: SamplingCallOptions,
  config: RunnableConfig,
  { topsUpN = false, cache }: { topsUpN?: boolean; cache?: ResponseCache } = {},
): Promise<CachedResponse & { cached: boolean }> {
  return cachedRequest(cache, messages, options, () => send(model, messages, options, config, topsUpN));
}

async function send(
  model: BaseChatModel,
  messages: BaseMessage[],
  options: SamplingCallOptions,
  config: RunnableConfig,
  topsUpN: boolean,
): Promise<CachedResponse> {
  const target = modelWithSampling(model, options);
  warnIgnoredSettings(model, topsUpN ? target.ignored.filter((s) => s !== "n") : target.ignored);
  // Only to models that take it (ours): others would send an unknown option on, or warn.
  const key = routingKeyOf(config);
  const routing =
    key !== undefined && target.model.callKeys.includes("routingKey") ? { routingKey: key } : {};
  const result = await target.model.generate([messages], { ...config, ...options, ...routing } as never);
  return {
    texts: (result.generations[0] as ChatGeneration[]).map((generation) => generation.message.text),
    usage: usageOf(result),
  };
}

function countsOf(parts: CachedResponse["usage"][]): CacheCounts {
  return {
    modelRequests: parts.length,
    promptTokens: parts.reduce((s, u) => s + u.promptTokens, 0),
    cachedPromptTokens: parts.reduce((s, u) => s + u.cachedPromptTokens, 0),
    completionTokens: parts.reduce((s, u) => s + u.completionTokens, 0),
  };
}

/**
 * The usage of these responses, those a cache answered included (what the answer took, whoever
 * paid for it: so a re-run writes the same records, and budgets stop where they stopped);
 * `fromCache` says which part was not sent.
 */
function sumUsage(parts: (CachedResponse & { cached: boolean })[]): Partial<RequestUsage> {
  const cached = parts.filter((p) => p.cached);
  return {
    ...countsOf(parts.map((p) => p.usage)),
    ...(cached.length > 0 ? { fromCache: countsOf(cached.map((p) => p.usage)) } : {}),
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

function isAbort(error: unknown, config: RunnableConfig): boolean {
  return config.signal?.aborted === true || (error as { name?: unknown } | null)?.name === "AbortError";
}

/** Shown in errors about models that are not ours (ours name their endpoint themselves). */
function modelName(model: BaseChatModel): string {
  return (model as { endpoint?: string }).endpoint ?? model.getName();
}

/**
 * Samples `count` responses. "n" asks for all of them in one request; "parallel" sends one request
 * per sample; "auto" asks with `n` and tops up with parallel requests when the server returned
 * fewer choices than asked (servers that ignore `n`) or rejected `n` with a 400 or 422 (older
 * llama.cpp). Sample i always gets the settings' seed + i. A failed request fails the call, unless
 * `tolerateFailures` is set and some samples arrived.
 */
export async function sampleResponses(
  model: BaseChatModel,
  messages: BaseMessage[],
  count: number,
  settings: SamplingSettings,
  method: SamplingMethod,
  config: RunnableConfig = {},
  options: SampleOptions = {},
): Promise<SampleResult> {
  const { value, replicas } = await countReplicaUsage(() =>
    sampleAll(model, messages, count, settings, method, config, options),
  );
  return replicas ? { ...value, usage: { ...value.usage, replicas } } : value;
}

async function sampleAll(
  model: BaseChatModel,
  messages: BaseMessage[],
  count: number,
  settings: SamplingSettings,
  method: SamplingMethod,
  config: RunnableConfig,
  options: SampleOptions,
): Promise<SampleResult> {
  const texts: string[] = [];
  const usages: (CachedResponse & { cached: boolean })[] = [];
  const errors: unknown[] = [];
  let usedN = false;
  if (method !== "parallel" && count > 1) {
    try {
      const first = await request(model, messages, callOptions(settings, count, 0), config, {
        topsUpN: method === "auto",
        cache: options.cache,
      });
      texts.push(...first.texts.slice(0, count));
      usages.push(first);
      usedN = true;
    } catch (error) {
      const rejectedN = method === "auto" && (statusOf(error) === 400 || statusOf(error) === 422);
      if (!rejectedN || isAbort(error, config)) throw error;
    }
    if (method === "n") {
      if (texts.length === 0) {
        throw new ModelRequestError(
          `${modelName(model)} returned no choices for a request with n=${count}. ` +
            'Use the sampling setting "auto" or "parallel" for servers that do not honour n.',
          modelName(model),
        );
      }
      return { texts, usage: sumUsage(usages), method: "n", errors };
    }
  }
  const missing = count - texts.length;
  if (missing > 0) {
    const offsets = Array.from({ length: missing }, (_, i) => texts.length + i);
    if (config.signal) {
      // Each request in flight (SDK, LangChain's caller, our retry) listens on the run's signal:
      // parallel samples are expected listeners, not the leak Node warns about past 10.
      setMaxListeners(Math.max(getMaxListeners(config.signal), 10 + 4 * missing), config.signal);
    }
    const singles = await Promise.allSettled(
      offsets.map((offset) =>
        request(model, messages, callOptions(settings, 1, offset), config, { cache: options.cache }),
      ),
    );
    for (const single of singles) {
      if (single.status === "rejected") {
        errors.push(single.reason);
        continue;
      }
      texts.push(single.value.texts[0] ?? "");
      usages.push(single.value);
    }
    const fatal = errors.find((error) => isAbort(error, config));
    if (fatal !== undefined) throw fatal;
    if (errors.length > 0 && (!options.tolerateFailures || texts.length === 0)) throw errors[0];
  }
  const method_ = usedN ? (missing > 0 ? "n+parallel" : "n") : "parallel";
  return { texts, usage: sumUsage(usages), method: method_, errors };
}

/** One request, one response: for the critique and gradient steps. */
export async function completeOnce(
  model: BaseChatModel,
  messages: BaseMessage[],
  options: Omit<SamplingCallOptions, "n">,
  config: RunnableConfig = {},
  cache?: ResponseCache,
): Promise<{ text: string; usage: Partial<RequestUsage> }> {
  const { stop, ...sampling } = options;
  const { value: result, replicas } = await countReplicaUsage(() =>
    request(model, messages, withStop({ ...sampling, n: 1 }, stop), config, { cache }),
  );
  if (result.texts.length === 0) {
    throw new ModelRequestError(`${modelName(model)} returned no response.`, modelName(model));
  }
  return {
    text: result.texts[0],
    usage: { ...sumUsage([result]), ...(replicas ? { replicas } : {}) },
  };
}
