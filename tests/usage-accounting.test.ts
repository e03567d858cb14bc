import { BaseChatModel, type BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import {
  completeOnce,
  sampleResponses,
  type SamplingCallOptions,
} from "../src/models/chat/sample-responses.js";
import { SAMPLING_CALL_KEYS } from "../src/models/chat/sampling-call-options.js";
import { addUsage, emptyUsage } from "../src/state/state.js";
import { RecordingRewardModel } from "./helpers/fakes.js";

/**
 * Usage over several requests: each request's prompt (and its cached part) is counted once however
 * many choices it returns, and requests add up, in a step, an iteration and the whole run.
 */

interface Reported {
  prompt: number;
  /** Unset: the server reports no cached tokens at all. */
  cached: number | undefined;
  /** Where the cached count is: LangChain's usage_metadata, or the raw OpenAI usage in response_metadata. */
  where?: "usage_metadata" | "response_metadata";
  /** Whether the result carries LangChain's llmOutput.tokenUsage (ChatOpenAI's does). */
  tokenUsage?: boolean;
}

/** A chat model whose call k reports `report(k)`: the prompt and cached tokens of that one request. */
class UsageChatModel extends BaseChatModel<BaseChatModelCallOptions & SamplingCallOptions> {
  calls = 0;
  constructor(
    private readonly report: (call: number) => Reported,
    private readonly honoursN = true,
  ) {
    super({});
  }
  _llmType() {
    return "usage";
  }
  override get callKeys(): string[] {
    return [...super.callKeys, ...SAMPLING_CALL_KEYS];
  }
  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const call = this.calls++;
    const { prompt, cached, where = "usage_metadata", tokenUsage = false } = this.report(call);
    const n = this.honoursN ? Math.max(1, options.n ?? 1) : 1;
    const update = messages.some((m) => m.text.includes("<suggestions>"));
    const generations = Array.from({ length: n }, (_, i) => {
      const text = update
        ? `<improved_response>rewrite ${call}.${i}</improved_response>`
        : `text ${call}.${i}`;
      const message = new AIMessage({
        content: text,
        usage_metadata: {
          input_tokens: prompt,
          output_tokens: 2,
          total_tokens: prompt + 2,
          ...(where === "usage_metadata" && cached !== undefined
            ? { input_token_details: { cache_read: cached } }
            : {}),
        },
        response_metadata:
          where === "response_metadata" && cached !== undefined
            ? { usage: { prompt_tokens_details: { cached_tokens: cached } } }
            : {},
      });
      return { text, message };
    });
    const llmOutput = tokenUsage
      ? { tokenUsage: { promptTokens: prompt, completionTokens: 2 * n, totalTokens: prompt + 2 * n } }
      : undefined;
    return { generations, llmOutput };
  }
}

const messages = [new HumanMessage("q")];
const settings = { temperature: 0.7, topP: 0.95, maxTokens: 50 };

describe("the usage of one step", () => {
  it("counts one request's prompt and cached tokens once, however many choices it returns", async () => {
    for (const where of ["usage_metadata", "response_metadata"] as const) {
      for (const tokenUsage of [false, true]) {
        const model = new UsageChatModel(() => ({ prompt: 100, cached: 40, where, tokenUsage }));
        const result = await sampleResponses(model, messages, 3, settings, "n");
        expect(result.usage).toEqual({
          modelRequests: 1,
          promptTokens: 100,
          cachedPromptTokens: 40,
          completionTokens: 6,
        });
      }
    }
  });

  it("adds up the prompt and cached tokens of parallel requests", async () => {
    const model = new UsageChatModel((call) => ({ prompt: 100 + call, cached: 10 * (call + 1) }));
    const result = await sampleResponses(model, messages, 3, settings, "parallel");
    expect(result.usage).toEqual({
      modelRequests: 3,
      promptTokens: 303,
      cachedPromptTokens: 60,
      completionTokens: 6,
    });
  });

  it("adds the top-up requests to the first one when a server ignores n", async () => {
    const model = new UsageChatModel((call) => ({ prompt: 80, cached: call === 0 ? 0 : 75 }), false);
    const result = await sampleResponses(model, messages, 3, settings, "auto");
    expect(result.method).toBe("n+parallel");
    expect(result.usage).toEqual({
      modelRequests: 3,
      promptTokens: 240,
      cachedPromptTokens: 150,
      completionTokens: 6,
    });
  });

  it("counts a critic request as one request with its cached tokens", async () => {
    const model = new UsageChatModel(() => ({ prompt: 500, cached: 420 }));
    const { usage } = await completeOnce(model, messages, settings);
    expect(usage).toEqual({
      modelRequests: 1,
      promptTokens: 500,
      cachedPromptTokens: 420,
      completionTokens: 2,
    });
  });

  it("counts no cached tokens when the server reports none", async () => {
    const model = new UsageChatModel(() => ({ prompt: 9, cached: undefined }));
    expect((await completeOnce(model, messages, settings)).usage.cachedPromptTokens).toBe(0);
    const parallel = await sampleResponses(model, messages, 2, settings, "parallel");
    expect(parallel.usage.cachedPromptTokens).toBe(0);
  });
});

describe("the usage of a run", () => {
  it("adds every request of every step: per iteration in the history, and in all", async () => {
    // Request k reports 10·(k+1) cached of 1000 prompt tokens: each request's count shows in the sums.
    const model = new UsageChatModel((call) => ({ prompt: 1000, cached: 10 * (call + 1) }));
    const graph = createTpoGraph({
      policy: model,
      rewardModel: new RecordingRewardModel((text) => text.charCodeAt(text.length - 1)),
    });
    const out = await graph.invoke({ query: "q" }, { context: { width: 2, depth: 2, sampling: "n" } });
    // Requests: generate 0; iteration 1: critique 1, gradient 2, update 3; iteration 2: 4, 5, 6.
    expect(model.calls).toBe(7);
    expect(out.history.map((r) => r.usage.cachedPromptTokens)).toEqual([10, 20 + 30 + 40, 50 + 60 + 70]);
    expect(out.history.map((r) => r.usage.modelRequests)).toEqual([1, 3, 3]);
    expect(out.history.map((r) => r.usage.promptTokens)).toEqual([1000, 3000, 3000]);
    expect(out.usage).toMatchObject({
      modelRequests: 7,
      promptTokens: 7000,
      cachedPromptTokens: 280,
      completionTokens: 4 + 2 + 2 + 4 + 2 + 2 + 4,
    });
  });

  it("adds usage field by field; a usage without cached tokens (an older state) adds none", () => {
    const a = {
      ...emptyUsage(),
      modelRequests: 2,
      promptTokens: 10,
      cachedPromptTokens: 4,
      nodeMs: { generate: 5 },
    };
    const b = {
      modelRequests: 1,
      cachedPromptTokens: 3,
      completionTokens: 7,
      rewardRequests: 2,
      nodeMs: { generate: 1, reward: 2 },
    };
    expect(addUsage(a, b)).toEqual({
      modelRequests: 3,
      promptTokens: 10,
      cachedPromptTokens: 7,
      completionTokens: 7,
      rewardRequests: 2,
      nodeMs: { generate: 6, reward: 2 },
    });
    const older = { ...a } as Partial<typeof a>;
    delete older.cachedPromptTokens;
    expect(addUsage(older as typeof a, { cachedPromptTokens: 5 }).cachedPromptTokens).toBe(5);
    expect(addUsage(a, undefined)).toBe(a);
    expect(addUsage(a, {})).toEqual(a);
  });
});
