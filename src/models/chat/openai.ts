import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { AIMessageChunk, BaseMessage, BaseMessageLike } from "@langchain/core/messages";
import type { ChatResult, LLMResult } from "@langchain/core/outputs";
import type { Runnable, RunnableConfig } from "@langchain/core/runnables";
import {
  ChatOpenAI,
  ChatOpenAICompletions,
  type ChatOpenAICallOptions,
  type ChatOpenAIFields,
  type OpenAIClient,
} from "@langchain/openai";
import { ModelRequestError } from "../../errors.js";
import { retryPolicy, withRetries, type RetryPolicy } from "../../http/retry.js";
import { nodeHttpFetch } from "../../http/transport.js";
import { redactUrls } from "../../http/redact.js";
import { postChatCompletion } from "./chat-completion-post.js";
import { baseUrlsOf, completionTokens, createChatPool, type ChatPoolOptions } from "./chat-pool.js";
import type { ReplicaPool } from "../pool/replica-pool.js";
import { isOpenAIApi, routingHeaders } from "../pool/routing-key.js";
import { classifyModelFailure, modelRequestError } from "./openai-failure.js";
import type { SamplingCallOptions } from "./sample-responses.js";
import { SAMPLING_CALL_KEYS } from "./sampling-call-options.js";

export type TpoChatOpenAICallOptions = ChatOpenAICallOptions &
  SamplingCallOptions & {
    /** The query's routing key: its requests stay on one server of a pool, and carry it (see ChatPoolOptions). */
    routingKey?: string;
  };

/** Where a request's routing key travels from its call options to the request it is sent with. */
const ROUTING_KEY = Symbol("tpo.routingKey");
type Routed = { [ROUTING_KEY]?: string };

export interface TpoChatOpenAIFields extends Omit<ChatOpenAIFields, "completions" | "maxRetries"> {
  /**
   * Retries of 408, 409, 429, 5xx, timeouts and connection errors, over DEFAULT_RETRY_POLICY (the
   * SDK's and LangChain's own retries are off).
   */
  retry?: Partial<RetryPolicy>;
  /** Several servers (a comma-separated `configuration.baseURL`): affinity, failover, the role's name. */
  pool?: ChatPoolOptions;
}

const OPENAI_BASE_URL = "https://api.openai.com/v1";

/**
 * The headers the OpenAI SDK would send for this configuration, when we can send its requests
 * without it; null when only the SDK can: its own fetch, query parameters, fetch options, headers
 * it must merge itself (a Headers or an array), or a key function.
 */
function headersWithoutSdk(
  config: ChatOpenAICompletions["clientConfig"],
  fieldKey: unknown,
): Record<string, string> | null {
  if (config.fetch !== nodeHttpFetch || config.defaultQuery || config.fetchOptions) return null;
  const extra = config.defaultHeaders ?? {};
  if (typeof extra !== "object" || Object.getPrototypeOf(extra) !== Object.prototype) return null;
  const apiKey = fieldKey ?? config.apiKey ?? "";
  if (typeof apiKey !== "string") return null;
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  const organization = config.organization ?? process.env.OPENAI_ORG_ID;
  const project = config.project ?? process.env.OPENAI_PROJECT_ID;
  if (organization) headers["openai-organization"] = organization;
  if (project) headers["openai-project"] = project;
  for (const [name, value] of Object.entries(extra)) {
    if (typeof value === "string") headers[name.toLowerCase()] = value;
    else if (value !== null && value !== undefined) return null;
  }
  return headers;
}

/**
 * Chat completions that put our per-call sampling options (temperature, topP, maxTokens, seed, n)
 * into the request, and retry with our policy. ChatOpenAI delegates every request to an instance
 * of this class, so this is where the request body is built.
 */
class TpoChatCompletions extends ChatOpenAICompletions<TpoChatOpenAICallOptions> {
  constructor(
    fields: ChatOpenAIFields,
    private readonly retry: RetryPolicy,
    /** The servers: the chat completions URLs as requested (credentials included). */
    private readonly pool: ReplicaPool,
    /** Send routing keys: headers, and `prompt_cache_key` to OpenAI's own API (`openAI`). */
    private readonly routing: { affinity: boolean; openAI: boolean },
  ) {
    super(fields);
  }

  /** The chat completions URLs, as errors name them (without credentials). */
  get endpoint(): string {
    return this.pool.replicas.map((replica) => replica.shown).join(", ");
  }

  /** What `ownRequestHeaders` found: the headers, null when the configuration needs the SDK. */
  private configuredHeaders: Record<string, string> | null | undefined;

  /**
   * The headers of a request that we can send ourselves, as the SDK would (key, organization,
   * project, the configuration's headers); undefined when only the SDK can send it: the caller's
   * own fetch, query parameters or SDK request options, a stream, or a structured-output format
   * that the SDK parses. What depends on the configuration alone is worked out once.
   */
  private ownRequestHeaders(
    request: OpenAIClient.Chat.ChatCompletionCreateParams,
    requestOptions: OpenAIClient.RequestOptions | undefined,
  ): Record<string, string> | undefined {
    if (request.stream || request.response_format?.type === "json_schema") return undefined;
    for (const [key, value] of Object.entries(requestOptions ?? {})) {
      if (value !== undefined && key !== "signal" && key !== "maxRetries") return undefined;
    }
    this.configuredHeaders ??= headersWithoutSdk(this.clientConfig, this.apiKey);
    return this.configuredHeaders ?? undefined;
  }

  override invocationParams(
    options?: this["ParsedCallOptions"],
    extra?: { streaming?: boolean },
  ): ReturnType<ChatOpenAICompletions["invocationParams"]> {
    const params = super.invocationParams(options, extra);
    if (options?.temperature !== undefined) params.temperature = options.temperature;
    if (options?.topP !== undefined) params.top_p = options.topP;
    if (options?.n !== undefined) params.n = options.n;
    if (options?.seed !== undefined) params.seed = options.seed;
    if (options?.routingKey !== undefined && this.routing.affinity) {
      (params as Routed)[ROUTING_KEY] = options.routingKey;
      if (this.routing.openAI) params.prompt_cache_key ??= options.routingKey;
    }
    if (options?.maxTokens !== undefined) {
      // Reasoning models take max_completion_tokens; the parent chose the key for this model.
      if ("max_completion_tokens" in params) params.max_completion_tokens = options.maxTokens;
      else params.max_tokens = options.maxTokens;
    }
    return params;
  }

  override completionWithRetry(
    request: OpenAIClient.Chat.ChatCompletionCreateParamsStreaming,
    requestOptions?: OpenAIClient.RequestOptions,
  ): Promise<AsyncIterable<OpenAIClient.Chat.Completions.ChatCompletionChunk>>;
  override completionWithRetry(
    request: OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming,
    requestOptions?: OpenAIClient.RequestOptions,
  ): Promise<OpenAIClient.Chat.Completions.ChatCompletion>;
  override completionWithRetry(
    request: OpenAIClient.Chat.ChatCompletionCreateParams,
    requestOptions?: OpenAIClient.RequestOptions,
  ): Promise<unknown> {
    const key = (request as Routed)[ROUTING_KEY];
    const signal = requestOptions?.signal ?? undefined;
    return this.pool.send(key, (replica) => this.sendTo(replica.url, request, requestOptions, key), {
      signal,
      tokensOf: completionTokens,
    });
  }

  /** One request to one server, retried there with our policy. */
  private sendTo(
    url: string,
    request: OpenAIClient.Chat.ChatCompletionCreateParams,
    requestOptions: OpenAIClient.RequestOptions | undefined,
    key: string | undefined,
  ): Promise<unknown> {
    const nonStreaming = request as OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming;
    const headers = this.ownRequestHeaders(request, requestOptions);
    const signal = requestOptions?.signal ?? undefined;
    const routing = key === undefined ? undefined : routingHeaders(key);
    // Through the SDK, another server of the pool is an absolute path; routing keys are headers.
    const sdkOptions = {
      ...requestOptions,
      maxRetries: 0,
      ...(this.pool.size > 1 ? { path: url } : {}),
      ...(routing && requestOptions?.headers === undefined ? { headers: routing } : {}),
    };
    const once = headers
      ? () =>
          postChatCompletion(nonStreaming, {
            url,
            headers: routing ? { ...headers, ...routing } : headers,
            timeoutMs: this.timeout,
            signal,
          })
      : () => super.completionWithRetry(nonStreaming, sdkOptions);
    return withRetries(once, {
      policy: this.retry,
      signal,
      classify: (error) => classifyModelFailure(error, this.timeout),
      giveUp: (outcome) => modelRequestError(redactUrls(url), outcome),
    });
  }

  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const result = await super._generate(messages, options, runManager);
    // With n > 1 the sampler tops up missing choices itself; a single request must return one.
    if (result.generations.length === 0 && (options.n ?? 1) <= 1) {
      throw new ModelRequestError(
        `Model request to ${this.endpoint} returned no choices. Is "${this.model}" the right model for this server?`,
        this.endpoint,
        200,
      );
    }
    return result;
  }
}

/**
 * ChatOpenAI for TPO: honours the per-call SamplingCallOptions, requests n choices in one call
 * (never streamed, since LangChain's streaming path would merge the choices into one message), and
 * retries with exponential backoff, jitter and Retry-After.
 */
export class TpoChatOpenAI extends ChatOpenAI<TpoChatOpenAICallOptions> {
  /** The chat completions URL, as errors name it. */
  readonly endpoint: string;

  private readonly tpoFields: TpoChatOpenAIFields;

  constructor(fields: TpoChatOpenAIFields) {
    const retry = retryPolicy(fields.retry);
    const bases = baseUrlsOf(fields.configuration?.baseURL ?? process.env.OPENAI_BASE_URL ?? OPENAI_BASE_URL);
    const pool = createChatPool(bases, { ...fields.pool, timeoutMs: fields.timeout });
    const routing = { affinity: fields.pool?.affinity ?? true, openAI: isOpenAIApi(bases[0]) };
    const parentFields: ChatOpenAIFields = {
      ...fields,
      maxRetries: 0,
      // The SDK takes one base URL: the first server's, when there are several.
      configuration: {
        fetch: nodeHttpFetch,
        ...fields.configuration,
        ...(bases.length > 1 ? { baseURL: bases[0] } : {}),
      },
    };
    super({ ...parentFields, completions: new TpoChatCompletions(parentFields, retry, pool, routing) });
    // As errors name it: without the credentials a URL may hold.
    this.endpoint = pool.replicas.map((replica) => replica.shown).join(", ");
    this.tpoFields = fields;
  }

  /** It reads every sampling setting from call options (see TpoChatCompletions): none goes to fields. */
  override get callKeys(): string[] {
    return [...super.callKeys, ...SAMPLING_CALL_KEYS, "routingKey"];
  }

  /** ChatOpenAI's own would rebuild a plain ChatOpenAI and lose the n handling above. */
  override withConfig(
    config: Partial<TpoChatOpenAICallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, TpoChatOpenAICallOptions> {
    const model = new TpoChatOpenAI(this.tpoFields);
    model.defaultOptions = { ...this.defaultOptions, ...config };
    return model;
  }

  override async _generateUncached(
    messages: BaseMessageLike[][],
    parsedOptions: this["ParsedCallOptions"],
    handledOptions: RunnableConfig,
    startedRunManagers?: CallbackManagerForLLMRun[],
  ): Promise<LLMResult> {
    if ((parsedOptions.n ?? 1) > 1 && !this.disableStreaming) {
      // BaseChatModel streams whenever a streaming callback (LangGraph's "messages" mode, Studio)
      // listens, and concatenates every chunk into one message: n choices would become one text.
      const nonStreaming = Object.create(this, { disableStreaming: { value: true } }) as this;
      return super._generateUncached.call(
        nonStreaming,
        messages,
        parsedOptions,
        handledOptions,
        startedRunManagers,
      );
    }
    return super._generateUncached(messages, parsedOptions, handledOptions, startedRunManagers);
  }
}

/** Where an OpenAI-compatible server is, and how to call it. */
export interface OpenAIServerSettings {
  /** The server's OpenAI base URL, ending in /v1; unset for OpenAI itself. */
  baseUrl?: string;
  apiKey?: string;
  /** Retries of a failed request (default 3). */
  maxRetries?: number;
  /** Timeout of one attempt, in ms (default: the OpenAI SDK's 10 minutes). */
  timeoutMs?: number;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A chat model of an OpenAI-compatible server (OpenAI, vLLM, SGLang, Ollama, llama.cpp, …). */
export function createOpenAIChatModel(
  settings: OpenAIServerSettings,
  model: string,
  overrides: Partial<TpoChatOpenAIFields> = {},
): TpoChatOpenAI {
  return new TpoChatOpenAI({
    model,
    apiKey: settings.apiKey ?? "not-needed",
    configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : undefined,
    timeout: positive(settings.timeoutMs),
    ...overrides,
    retry: {
      ...(settings.maxRetries === undefined ? {} : { maxRetries: settings.maxRetries }),
      ...overrides.retry,
    },
  });
}
