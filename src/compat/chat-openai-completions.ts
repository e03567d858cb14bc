import {
  ChatOpenAICompletions,
  type ChatOpenAICallOptions,
  type ChatOpenAIFields,
  type OpenAIClient,
} from "@langchain/openai";

/**
 * @langchain/openai's `ChatOpenAICompletions` (marked @internal): ChatOpenAI hands every chat
 * completion request to an instance of it, its `completions` field. Two of its methods are the
 * seams that no documented option offers per call:
 * - `invocationParams(options)` (@internal) builds the request body, reading temperature, top_p,
 *   n and max_tokens from the model's fields only; `editParams` sets them from a call's options.
 * - `completionWithRetry(request, requestOptions)` sends the body through the OpenAI SDK, whose
 *   request options' headers reach the fetch; `headers` adds a call's own (on streamed requests
 *   too, where the parent passes the call options themselves as request options).
 *
 * Pinned by tests/compat-chat-openai-completions.test.ts.
 */
export type ChatCompletionsParams = ReturnType<ChatOpenAICompletions["invocationParams"]>;

export interface ChatCompletionsSeams<CallOptions> {
  /** Changes the body the parent built from the model's fields, for this call's options. */
  editParams(params: ChatCompletionsParams, options: Partial<CallOptions> | undefined): void;
  /** Headers for this call's request, or undefined for none. */
  headers(options: Partial<CallOptions> | undefined): Record<string, string> | undefined;
}

/** Where a call's headers travel from `invocationParams` to `completionWithRetry`, which sees only the body. */
const HEADERS = Symbol("tpo.requestHeaders");
type WithHeaders = { [HEADERS]?: Record<string, string> };

export class SeamedChatCompletions<
  CallOptions extends ChatOpenAICallOptions,
> extends ChatOpenAICompletions<CallOptions> {
  constructor(
    fields: ChatOpenAIFields,
    private readonly seams: ChatCompletionsSeams<CallOptions>,
  ) {
    super(fields);
  }

  override invocationParams(
    options?: this["ParsedCallOptions"],
    extra?: { streaming?: boolean },
  ): ChatCompletionsParams {
    const params = super.invocationParams(options, extra);
    const callOptions = options as Partial<CallOptions> | undefined;
    this.seams.editParams(params, callOptions);
    const headers = this.seams.headers(callOptions);
    if (headers) (params as WithHeaders)[HEADERS] = headers;
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
    const headers = (request as WithHeaders)[HEADERS];
    const options =
      headers === undefined
        ? requestOptions
        : { ...requestOptions, headers: { ...headers, ...(requestOptions?.headers as object) } };
    return super.completionWithRetry(
      request as OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming,
      options,
    );
  }
}
