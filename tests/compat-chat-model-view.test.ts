import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { innerChatModels, viewWithFields } from "../src/compat/chat-model-view.js";

/**
 * What src/compat/chat-model-view.ts relies on in LangChain: chat models read their settings from
 * `this` when they build each request (so a view's own fields win), and ChatOpenAI hands requests
 * to the chat models in its own `completions`/`responses` properties. A failure here means that
 * LangChain changed how its models are written, and sampling settings would silently stop reaching
 * models that take them as fields.
 */
const COMPLETION = {
  id: "c1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

/** A ChatOpenAI whose requests go to a function that records their bodies (no server). */
function recordingChatOpenAI() {
  const bodies: Record<string, unknown>[] = [];
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    return new Response(JSON.stringify(COMPLETION), { headers: { "content-type": "application/json" } });
  };
  const model = new ChatOpenAI({ model: "m", apiKey: "x", maxRetries: 0, configuration: { fetch } });
  return { model, bodies };
}

/** Streams when a streaming callback listens and the model does not disable streaming. */
class StreamingChatModel extends BaseChatModel {
  readonly paths: string[] = [];
  _llmType(): string {
    return "streaming";
  }
  async _generate(): Promise<ChatResult> {
    this.paths.push("generate");
    return { generations: [{ text: "a", message: new AIMessage("a") }] };
  }
  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    this.paths.push("stream");
    yield new ChatGenerationChunk({ text: "a", message: new AIMessageChunk("a") });
  }
}

describe("views of LangChain chat models, as viewWithFields and innerChatModels make them", () => {
  it("finds the chat models ChatOpenAI hands its requests to", () => {
    const { model } = recordingChatOpenAI();
    expect(innerChatModels(model).map(([key]) => key)).toEqual(
      expect.arrayContaining(["completions", "responses"]),
    );
  });

  it("sends a ChatOpenAI request with the view's fields, and leaves the model as it was", async () => {
    const { model, bodies } = recordingChatOpenAI();
    const settings = { temperature: 0.3, topP: 0.8, maxTokens: 77, n: 2 };
    const inner = Object.fromEntries(
      innerChatModels(model).map(([key, m]) => [key, viewWithFields(m, settings)]),
    );
    const view = viewWithFields(model, { ...settings, ...inner });
    expect(view).toBeInstanceOf(ChatOpenAI);
    await view.generate([[new HumanMessage("q")]]);
    expect(bodies[0]).toMatchObject({ temperature: 0.3, top_p: 0.8, max_tokens: 77, n: 2 });
    await model.generate([[new HumanMessage("q")]]);
    expect(bodies[1]).not.toHaveProperty("temperature");
    expect(bodies[1]).not.toHaveProperty("n");
    expect(model.temperature).toBeUndefined();
  });

  it("reads disableStreaming from the view: a streaming callback makes the model stream, the view not", async () => {
    const model = new StreamingChatModel({});
    // A handler that prefers streaming, as LangGraph's "messages" stream mode adds one.
    const listening = { callbacks: [{ lc_prefer_streaming: true, handleLLMNewToken: () => {} }] };
    await model.invoke("q", listening);
    await viewWithFields(model, { disableStreaming: true }).invoke("q", listening);
    expect(model.paths).toEqual(["stream", "generate"]);
    expect(model.disableStreaming).toBe(false);
  });
});
