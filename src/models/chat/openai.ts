import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { AIMessageChunk, BaseMessage, BaseMessageLike } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult, LLMResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { ChatOpenAI, type ChatOpenAICallOptions, type ChatOpenAIFields } from "@langchain/openai";
import { SeamedChatCompletions } from "../../compat/chat-openai-completions.js";
import { withBoundOptions } from "../../compat/chat-openai-default-options.js";
import { viewWithFields } from "../../compat/chat-model-view.js";
import { errorThrownByFetch } from "../../compat/openai-fetch-error.js";
import { ModelRequestError } from "../../errors.js";
import { retryPolicy, type RetryPolicy } from "../../http/retry.js";
import { nodeHttpFetch } from "../../http/transport.js";
import { redactUrls } from "../../util/redact.js";
import { isOpenAIApi, routingHeaders } from "../pool/routing-key.js";
import { baseUrlsOf, pooledChatFetch, type ChatPoolOptions } from "./chat-pool.js";
import { classifyModelFailure, modelRequestError } from "./openai-failure.js";
import { ChatRequestGaveUp, retriedRequestBoundMs, retryingChatFetch } from "./retrying-fetch.js";
import type { SamplingCallOptions } from "./sample-responses.js";
import { SAMPLING_CALL_KEYS } from "./sampling-call-options.js";
import { stderrSdkLogger } from "./sdk-log.js";

export type TpoChatOpenAICallOptions = ChatOpenAICallOptions &
  SamplingCallOptions & {
    /** The query's routing key: its requests stay on one server of a pool, and carry it (see ChatPoolOptions). */
    routingKey?: string;
  };

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

const isGaveUp = (error: unknown): error is ChatRequestGaveUp => error instanceof ChatRequestGaveUp;

/**
 * Chat completions that put our per-call sampling options (temperature, topP, maxTokens, seed, n)
 * into the request and report a failed request as a ModelRequestError. ChatOpenAI hands every
 * request to an instance of this class (its `completions` field), so this is where the request
 * body is built and where the SDK's errors come out.
 */
class TpoChatCompletions extends SeamedChatCompletions<TpoChatOpenAICallOptions> {
  constructor(
    fields: ChatOpenAIFields,
    readonly endpoint: string,
    /** Timeout of one attempt, as errors name it. */
    private readonly attemptTimeoutMs: number | undefined,
    /** Send routing keys: headers, and `prompt_cache_key` to OpenAI's own API (`openAI`). */
    routing: { affinity: boolean; openAI: boolean },
  ) {
    super(fields, {
      editParams: (params, options) => {
        if (options?.temperature !== undefined) params.temperature = options.temperature;
        if (options?.topP !== undefined) params.top_p = options.topP;
        if (options?.n !== undefined) params.n = options.n;
        if (options?.seed !== undefined) params.seed = options.seed;
        if (options?.routingKey !== undefined && routing.affinity && routing.openAI) {
          params.prompt_cache_key ??= options.routingKey;
        }
        if (options?.maxTokens !== undefined) {
          // Reasoning models take max_completion_tokens; the parent chose the key for this model.
          if ("max_completion_tokens" in params) params.max_completion_tokens = options.maxTokens;
          else params.max_tokens = options.maxTokens;
        }
      },
      // A request with a routing key carries it in the headers that routers (and our pool's fetch) read.
      headers: (options) =>
        options?.routingKey !== undefined && routing.affinity
          ? routingHeaders(options.routingKey)
          : undefined,
    });
  }

  /**
   * The error to throw for a failed request: the retrying fetch's ModelRequestError; a body that
   * is not JSON as one too; an abort as the caller's signal's reason; anything else as it is.
   */
  private failure(error: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason ?? error;
    const gaveUp = errorThrownByFetch(error, isGaveUp);
    if (gaveUp) return gaveUp.error;
    if (error instanceof SyntaxError) {
      const failure = classifyModelFailure(error, this.attemptTimeoutMs);
      return modelRequestError(this.endpoint, { failure, error, attempts: 1 });
    }
    return error;
  }

  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let result: ChatResult;
    try {
      result = await super._generate(messages, options, runManager);
    } catch (error) {
      throw this.failure(error, options.signal);
    }
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

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    try {
      yield* super._streamResponseChunks(messages, options, runManager);
    } catch (error) {
      throw this.failure(error, options.signal);
    }
  }
}

/**
 * ChatOpenAI for TPO: honours the per-call SamplingCallOptions, requests n choices in one call
 * (never streamed, since LangChain's streaming path would merge the choices into one message), and
 * retries with exponential backoff, jitter and Retry-After (in the fetch it gives the OpenAI SDK).
 */
export class TpoChatOpenAI extends ChatOpenAI<TpoChatOpenAICallOptions> {
  /** The chat completions URL, as errors name it. */
  readonly endpoint: string;

  private readonly tpoFields: TpoChatOpenAIFields;

  constructor(fields: TpoChatOpenAIFields) {
    const retry = retryPolicy(fields.retry);
    const bases = baseUrlsOf(
      fields.configuration?.baseURL ?? process.env.OPENAI_BASE_URL ?? OPENAI_BASE_URL,
      fields.pool?.setting ?? "The chat model's base URL (configuration.baseURL)",
    );
    // As errors name it: without the credentials a URL may hold.
    const endpoint = bases.map((base) => redactUrls(`${base}/chat/completions`)).join(", ");
    const transport = fields.configuration?.fetch ?? nodeHttpFetch;
    const fetch =
      bases.length > 1
        ? pooledChatFetch({
            ...fields.pool,
            bases,
            fetch: transport,
            policy: retry,
            timeoutMs: fields.timeout,
          })
        : retryingChatFetch({ fetch: transport, policy: retry, endpoint, timeoutMs: fields.timeout });
    const parentFields: ChatOpenAIFields = {
      ...fields,
      maxRetries: 0,
      // Each attempt has its own timeout in the fetch; the SDK's bounds the whole retried request,
      // on every server of a pool.
      timeout: Math.min(retriedRequestBoundMs(retry, fields.timeout) * bases.length, 2 ** 31 - 1),
      // The SDK takes one base URL: the first server's, when there are several.
      configuration: {
        // The SDK's log (OPENAI_LOG) on standard error with keys hidden, never on standard output.
        logger: stderrSdkLogger([fields.apiKey, fields.configuration?.apiKey, process.env.OPENAI_API_KEY]),
        ...fields.configuration,
        fetch,
        ...(bases.length > 1 ? { baseURL: bases[0] } : {}),
      },
    };
    const routing = { affinity: fields.pool?.affinity ?? true, openAI: isOpenAIApi(bases[0]) };
    super({
      ...parentFields,
      completions: new TpoChatCompletions(parentFields, endpoint, fields.timeout, routing),
    });
    this.endpoint = endpoint;
    this.tpoFields = fields;
  }

  /** It reads every sampling setting from call options (see TpoChatCompletions): none goes to fields. */
  override get callKeys(): string[] {
    return [...super.callKeys, ...SAMPLING_CALL_KEYS, "routingKey"];
  }

  /** ChatOpenAI's own would build a plain ChatOpenAI: this one stays a TpoChatOpenAI. */
  override withConfig(
    config: Partial<TpoChatOpenAICallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, TpoChatOpenAICallOptions> {
    return withBoundOptions(new TpoChatOpenAI(this.tpoFields), this, config);
  }

  /**
   * A request for n > 1 choices goes to a view of the model with streaming disabled: BaseChatModel
   * streams whenever a streaming callback (LangGraph's "messages" mode, Studio) listens, and
   * concatenates every chunk into one message, so n choices would become one text.
   */
  override async generate(
    messages: BaseMessageLike[][],
    options?: string[] | Partial<TpoChatOpenAICallOptions>,
    callbacks?: Callbacks,
  ): Promise<LLMResult> {
    const n = Array.isArray(options) ? undefined : options?.n;
    if ((n ?? 1) > 1 && !this.disableStreaming) {
      return super.generate.call(
        viewWithFields(this, { disableStreaming: true }),
        messages,
        options,
        callbacks,
      );
    }
    return super.generate(messages, options, callbacks);
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
