import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  SystemMessage,
  type BaseMessage,
} from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { SamplingCallOptions } from "../models/chat/sample-responses.js";
import { SAMPLING_CALL_KEYS } from "../models/chat/sampling-call-options.js";
import { hash32, rng } from "./random.js";
import { simRespond, wordCount } from "./world.js";
import type { BaseChatModelCallOptions, BindToolsInput } from "@langchain/core/language_models/chat_models";
import { simLeaderboardJudge, simLogprobs, simStructuredAnswer, type SimJudgeReply } from "./judge.js";
import { SimPrefixCache, type CacheMessage } from "./prefix-cache.js";

export interface SimChatModelParams extends BaseChatModelParams {
  /** Seed of the world's randomness for requests that carry no seed of their own. */
  seed?: number;
  /** Answers (first samples and rewrites) of about this many characters, as long as real ones. Unset: short answers. */
  answerChars?: number;
  /**
   * Return the top log-probabilities of each reply's first token, this many (as ChatOpenAI with
   * `logprobs` and `topLogprobs` does, in each generation's `generationInfo.logprobs`). The
   * simulated world knows them for a leaderboard judge's label (`simLeaderboardJudge`) only.
   */
  topLogprobs?: number;
}

/** The text before the first stop string in it, as a server stops (the stop string is not returned). */
export function cutAtStop(text: string, stop: readonly string[] | undefined): string {
  let end = text.length;
  for (const marker of stop ?? []) {
    const at = text.indexOf(marker);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

/** What the critic's turns are, in order, in a conversation-layout prompt (see `promptOf`). */
const CONVERSATION_TURNS = ["critique", "suggestions"];

/** A message's role on the wire: system, user or assistant. */
export function wireRole(message: BaseMessage): string {
  if (SystemMessage.isInstance(message)) return "system";
  if (AIMessage.isInstance(message) || AIMessageChunk.isInstance(message)) return "assistant";
  return HumanMessage.isInstance(message) ? "user" : message.getType();
}

/** The messages as the prefix cache reads them. */
export function cacheMessages(messages: BaseMessage[]): CacheMessage[] {
  return messages.map((m) => ({ role: wireRole(m), text: m.text }));
}

export type SimChatModelCallOptions = BaseChatModelCallOptions &
  SamplingCallOptions & {
    /** Tools bound by `bindTools`: `withStructuredOutput` asks for a verdict through the first one. */
    tools?: BindToolsInput[];
  };

/** The name of a bound tool, in OpenAI's form ({ function: { name } }) or LangChain's ({ name }). */
function toolName(tool: BindToolsInput): string {
  const named = tool as { name?: unknown; function?: { name?: unknown } };
  const name = named.function?.name ?? named.name;
  return typeof name === "string" ? name : "extract";
}

/**
 * The simulated policy and critic as a real chat model: it goes through exactly the node code
 * that real models do. Deterministic: the same prompt and seed give the same text.
 */
export class SimChatModel extends BaseChatModel<SimChatModelCallOptions> {
  private readonly seed: number;
  private readonly answerChars?: number;
  private readonly topLogprobs?: number;
  /** Its own prefix cache, as one server's: the usage reports cached prompt tokens as the HTTP server does. */
  private readonly prefixCache = new SimPrefixCache();
  /** Requests without a seed draw from this counter, so that repeated calls differ. */
  private unseeded = 0;

  constructor(params: SimChatModelParams = {}) {
    super(params);
    this.seed = params.seed ?? 0;
    this.answerChars = params.answerChars;
    this.topLogprobs = params.topLogprobs;
  }

  _llmType(): string {
    return "tpo-sim";
  }

  /** It reads every sampling setting from call options. */
  override get callKeys(): string[] {
    return [...super.callKeys, ...SAMPLING_CALL_KEYS];
  }

  /**
   * The prompt as the simulated world reads it: a user query alone, or all messages of a TPO
   * prompt. In a critic conversation (layout `conversation`) the critic's own earlier turns are
   * the critique and then the suggestions: the world reads them as those sections.
   */
  static promptOf(messages: BaseMessage[]): string {
    const last = [...messages].reverse().find((m) => HumanMessage.isInstance(m));
    if (!messages.some((m) => m.text.includes("<query>")))
      return (last ?? messages[messages.length - 1]).text;
    let turn = 0;
    return messages
      .map((m) => {
        if (wireRole(m) !== "assistant" || turn >= CONVERSATION_TURNS.length) return m.text;
        const tag = CONVERSATION_TURNS[turn++];
        return `<${tag}>\n${m.text}\n</${tag}>`;
      })
      .join("\n\n");
  }

  /** The text of choice `index` of a request: what the simulated HTTP server also returns. */
  static respond(
    prompt: string,
    seed: number,
    index: number,
    maxTokens?: number,
    answerChars?: number,
    stop?: readonly string[],
  ): string {
    const output = cutAtStop(
      simRespond(prompt, rng(hash32(prompt, (seed + index) >>> 0)), answerChars),
      stop,
    );
    if (maxTokens === undefined) return output;
    const words = output.split(/\s+/);
    return words.length > maxTokens ? words.slice(0, maxTokens).join(" ") : output;
  }

  /**
   * Tools make the model answer an LLM judge's prompt (pointwise or pairwise) as the simulated
   * server does: with a call of the first tool whose arguments are the verdict. That is what
   * `withStructuredOutput` asks for, so the judges run in process too.
   */
  override bindTools(tools: BindToolsInput[], kwargs?: Partial<SimChatModelCallOptions>) {
    return this.withConfig({ ...kwargs, tools } as Partial<SimChatModelCallOptions>);
  }

  /** The verdict for a judge's prompt, as a tool call; an error for any other prompt. */
  private judgeAnswer(messages: BaseMessage[], tool: BindToolsInput): ChatResult {
    const prompt = messages.map((m) => m.text).join("\n\n");
    const verdict = simStructuredAnswer(prompt, this.seed);
    if (!verdict) {
      throw new Error(
        "The simulated world answers structured output only for judge prompts " +
          "(<query> and <response>, or <query>, <response_a> and <response_b>).",
      );
    }
    const promptTokens = wordCount(prompt);
    const outputTokens = wordCount(JSON.stringify(verdict));
    // A chunk, as streaming models return: the base withStructuredOutput reads only chunks.
    const message = new AIMessageChunk({
      content: "",
      tool_calls: [{ id: "call_sim_judge", name: toolName(tool), args: { ...verdict }, type: "tool_call" }],
      usage_metadata: {
        input_tokens: promptTokens,
        output_tokens: outputTokens,
        total_tokens: promptTokens + outputTokens,
      },
    });
    return { generations: [{ text: "", message }] };
  }

  /** A leaderboard judge's reply, with its log-probabilities when the model was made to return them. */
  private judgeReply(messages: BaseMessage[], reply: SimJudgeReply): ChatResult {
    const promptTokens = wordCount(messages.map((m) => m.text).join(" "));
    const outputTokens = wordCount(reply.text);
    const message = new AIMessage({
      content: reply.text,
      usage_metadata: {
        input_tokens: promptTokens,
        output_tokens: outputTokens,
        total_tokens: promptTokens + outputTokens,
      },
    });
    const logprobs =
      this.topLogprobs !== undefined && reply.topLogprobs ? simLogprobs(reply, this.topLogprobs) : undefined;
    return {
      generations: [{ text: reply.text, message, generationInfo: logprobs ? { logprobs } : {} }],
      llmOutput: {
        tokenUsage: {
          promptTokens,
          completionTokens: outputTokens,
          totalTokens: promptTokens + outputTokens,
        },
      },
    };
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const tool = options.tools?.[0];
    if (tool !== undefined) return this.judgeAnswer(messages, tool);
    const prompt = SimChatModel.promptOf(messages);
    const judged = simLeaderboardJudge(prompt, this.seed);
    if (judged) return this.judgeReply(messages, judged);
    const n = Math.max(1, options.n ?? 1);
    const seed = options.seed ?? this.seed * 1_000_003 + this.unseeded++ * 1009;
    const promptTokens = wordCount(messages.map((m) => m.text).join(" "));
    const cachedTokens = this.prefixCache.lookup(cacheMessages(messages));
    const generations = Array.from({ length: n }, (_, i) => {
      const output = SimChatModel.respond(prompt, seed, i, options.maxTokens, this.answerChars, options.stop);
      const outputTokens = wordCount(output);
      const message = new AIMessage({
        content: output,
        usage_metadata: {
          input_tokens: promptTokens,
          output_tokens: outputTokens,
          total_tokens: promptTokens + outputTokens,
          input_token_details: { cache_read: cachedTokens },
        },
      });
      return { text: output, message };
    });
    const completionTokens = generations.reduce((sum, g) => sum + wordCount(g.text), 0);
    return {
      generations,
      llmOutput: {
        tokenUsage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      },
    };
  }
}
