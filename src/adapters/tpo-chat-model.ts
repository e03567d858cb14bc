import type { CallbackManager, CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { llmRunChildCallbacks } from "../compat/llm-run-child-callbacks.js";
import { TpoUnsupportedError } from "../errors.js";
import { answerMessageOf, responseMetadataOf, usageMetadataOf } from "./answer.js";
import { createTpoGraph, type TpoGraph, type TpoGraphOptions } from "../graph/builder.js";
import { parseTpoContext } from "../settings/run-settings.js";
import type { HistoryRecord, TpoStateType } from "../state/state.js";
import {
  parseProgressMode,
  progressReasoning,
  runSettingsOf,
  type TpoCallSettings,
} from "./progress-reasoning.js";
import { reasoningStream } from "./reasoning-stream.js";
import { runTpoToEnd, whenIterationRecorded } from "../run/index.js";
import { CALLER_STREAM_HANDLERS } from "../compat/caller-stream-handlers.js";
import { NO_STREAM_TAG } from "./isolated-run.js";

export interface TpoChatModelParams extends BaseChatModelParams, TpoGraphOptions {
  /**
   * Run settings (width, depth, mode, sampling, …) and `progress`; a call's `tpo` option
   * overrides them. `progress: "reasoning"` streams each iteration as `reasoning_content`.
   */
  settings?: TpoCallSettings;
  /**
   * The most TPO runs this model makes at once, across invoke, batch and stream. Default: no cap.
   * (LangChain's own chat-model setting, honoured through the model's `caller`.)
   */
  maxConcurrency?: number;
}

export interface TpoChatModelCallOptions extends BaseChatModelCallOptions {
  /** Run settings (and `progress`) for this call, merged over the model's `settings`. */
  tpo?: TpoCallSettings;
  /** Refused: present so that a caller who passes tools gets a clear error rather than silence. */
  tools?: unknown[];
}

const TOOLS_REFUSED =
  "TpoChatModel optimises text answers and cannot call tools or return structured output. " +
  "Bind tools to the policy model itself, or parse TPO's text answer in a later step.";

/** Callbacks for the runs inside TPO, traced as children of the TpoChatModel run. */
function childCallbacks(runManager: CallbackManagerForLLMRun): CallbackManager {
  return llmRunChildCallbacks(runManager, { dropHandlers: CALLER_STREAM_HANDLERS, tags: [NO_STREAM_TAG] });
}

/**
 * TPO as a LangChain chat model: `invoke(messages)` runs a whole TPO optimisation (policy samples,
 * reward model scores, critic critiques and rewrites) and answers with the best response.
 *
 * The run is a black box to the caller: it does not join the caller's graph as a subgraph, and
 * its inner model calls are tagged so that a parent graph's "messages" stream shows only the final
 * answer. Use `createTpoNode` instead to see TPO's steps inside a parent graph.
 */
export class TpoChatModel extends BaseChatModel<TpoChatModelCallOptions, AIMessageChunk> {
  readonly settings: TpoCallSettings;
  private readonly graph: TpoGraph;

  static override lc_name(): string {
    return "TpoChatModel";
  }

  constructor(params: TpoChatModelParams) {
    const { policy, critic, rewardModel, nodes, prompts, prices, settings = {}, ...base } = params;
    // TPO runs are not retried: the models inside retry their own requests.
    super({ ...base, maxRetries: 0 });
    parseTpoContext(settings); // fail at construction, naming the bad field
    parseProgressMode(settings.progress);
    this.settings = settings;
    this.graph = createTpoGraph({ policy, critic, rewardModel, nodes, prompts, prices });
  }

  override _llmType(): string {
    return "tpo";
  }

  override bindTools(_tools: BindToolsInput[], _kwargs?: Partial<TpoChatModelCallOptions>): never {
    throw new TpoUnsupportedError(TOOLS_REFUSED);
  }

  override withStructuredOutput(..._args: unknown[]): never {
    throw new TpoUnsupportedError(TOOLS_REFUSED);
  }

  /** The settings of a call: the model's, then the call's `tpo` option, checked. */
  private callSettings(options: this["ParsedCallOptions"]) {
    const merged: TpoCallSettings = { ...this.settings, ...options.tpo };
    const progress = parseProgressMode(merged.progress) ?? "off";
    return { context: parseTpoContext(runSettingsOf(merged)), progress };
  }

  /**
   * Runs TPO on the conversation and returns its final state (pool, history, usage, best);
   * `onIteration` hears of each iteration as it finishes.
   */
  async optimise(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
    onIteration?: (record: HistoryRecord) => void,
  ): Promise<TpoStateType> {
    if (options.tools?.length || options.tool_choice !== undefined)
      throw new TpoUnsupportedError(TOOLS_REFUSED);
    const context = runSettingsOf({ ...this.settings, ...options.tpo });
    const callbacks = runManager && childCallbacks(runManager);
    // Run with only this config in scope: LangGraph would otherwise pick up a calling graph's
    // config from async-local storage and nest the run (checkpoints, streams) inside that graph.
    const run = () =>
      runTpoToEnd(
        this.graph,
        { messages },
        {
          context: parseTpoContext(context),
          signal: options.signal,
          callbacks,
          tags: [NO_STREAM_TAG],
          onEvent: whenIterationRecorded(onIteration),
        },
      );
    const { state } = await this.caller.call(() =>
      AsyncLocalStorageProviderSingleton.runWithConfig({ callbacks }, run, true),
    );
    return state;
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const { context, progress } = this.callSettings(options);
    const state = await this.optimise(messages, options, runManager);
    const message = answerMessageOf(state);
    if (progress === "reasoning") {
      message.additional_kwargs.reasoning_content = progressReasoning(state.history, context);
    }
    return {
      generations: [{ text: message.text, message }],
      llmOutput: {
        tokenUsage: {
          promptTokens: state.usage.promptTokens,
          completionTokens: state.usage.completionTokens,
          totalTokens: state.usage.promptTokens + state.usage.completionTokens,
        },
      },
    };
  }

  /**
   * Streams the final answer as one chunk, once the run has chosen it: nothing partial is shown.
   * With `progress: "reasoning"`, chunks of `additional_kwargs.reasoning_content` come first, one
   * per iteration as it finishes.
   */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { context, progress } = this.callSettings(options);
    let state: TpoStateType;
    if (progress === "reasoning") {
      const run = reasoningStream(context, (onIteration) =>
        this.optimise(messages, options, runManager, onIteration),
      );
      for await (const text of run.reasoning) {
        const chunk = reasoningChunk(text);
        await runManager?.handleLLMNewToken("", undefined, undefined, undefined, undefined, { chunk });
        yield chunk;
      }
      state = await run.state;
    } else {
      state = await this.optimise(messages, options, runManager);
    }
    const text = answerMessageOf(state).text;
    const chunk = new ChatGenerationChunk({
      text,
      message: new AIMessageChunk({
        content: text,
        response_metadata: { ...responseMetadataOf(state) },
        usage_metadata: usageMetadataOf(state),
      }),
    });
    await runManager?.handleLLMNewToken(text, undefined, undefined, undefined, undefined, { chunk });
    yield chunk;
  }
}

/** A chunk of reasoning, as @langchain/openai reads `reasoning_content` deltas from vLLM or DeepSeek. */
function reasoningChunk(text: string): ChatGenerationChunk {
  return new ChatGenerationChunk({
    text: "",
    message: new AIMessageChunk({ content: "", additional_kwargs: { reasoning_content: text } }),
  });
}
