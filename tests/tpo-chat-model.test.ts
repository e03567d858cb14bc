import { tpoMetadataOf } from "../src/adapters/answer.js";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TpoSettingsError, TpoUnsupportedError } from "../src/errors.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { TpoChatModel } from "../src/adapters/tpo-chat-model.js";
import { SimChatModel, createSimWorld } from "../src/sim/index.js";

const QUESTION = "How do I take care of a wooden table?";

function simModel(settings = { width: 3, depth: 2, seed: 1 }) {
  return new TpoChatModel({ ...createSimWorld(), settings });
}

/** A simulated policy that counts the requests in flight and their peak. */
class CountingPolicy extends SimChatModel {
  inFlight = 0;
  peak = 0;
  requests = 0;
  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.requests++;
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return await super._generate(messages, options);
    } finally {
      this.inFlight--;
    }
  }
}

describe("TpoChatModel", () => {
  it("answers with the best response, its score, iteration, history and summed usage", async () => {
    const policy = new CountingPolicy();
    const model = new TpoChatModel({
      policy,
      rewardModel: createSimWorld().rewardModel,
      settings: { width: 3, depth: 2, seed: 1 },
    });
    const answer = await model.invoke([new HumanMessage(QUESTION)]);
    expect(AIMessage.isInstance(answer)).toBe(true);
    // The same run as a graph: the answer is its best response.
    const direct = await createTpoGraph(createSimWorld()).invoke(
      { messages: [new HumanMessage(QUESTION)] },
      { context: { width: 3, depth: 2, seed: 1 } },
    );
    expect(answer.content).toBe(direct.best?.text);
    const meta = tpoMetadataOf(answer)!;
    expect(meta.tpo_score).toBe(direct.best?.score);
    expect(meta.tpo_iteration).toBe(direct.best?.iteration);
    expect(meta.tpo_history.map((r) => r.iteration)).toEqual([0, 1, 2]);
    const best = Math.max(...meta.tpo_history.map((r) => r.bestSoFar ?? -Infinity));
    expect(meta.tpo_score).toBe(best);
    // Every request the run made: generate (1 with n) + 2 × (critique, gradient, update with n).
    expect(meta.tpo_usage.modelRequests).toBe(policy.requests);
    expect(policy.requests).toBe(7);
    const usage = answer.usage_metadata!;
    expect(usage.input_tokens).toBe(meta.tpo_usage.promptTokens);
    expect(usage.output_tokens).toBe(meta.tpo_usage.completionTokens);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(usage.input_tokens).toBeGreaterThan(0);
  });

  it("lets a call override the run settings", async () => {
    const answer = await simModel().invoke(QUESTION, { tpo: { mode: "bon", width: 2 } });
    const history = tpoMetadataOf(answer)!.tpo_history;
    expect(history).toHaveLength(1);
    expect(history[0].candidates + history[0].failures).toBe(2);
    expect(tpoMetadataOf(answer)?.tpo_iteration).toBe(0);
  });

  it("refuses a bad per-call setting before any model call", async () => {
    const policy = new CountingPolicy();
    const model = new TpoChatModel({ policy, rewardModel: createSimWorld().rewardModel });
    await expect(model.invoke(QUESTION, { tpo: { depth: 101 } })).rejects.toThrow(TpoSettingsError);
    expect(policy.requests).toBe(0);
  });

  it("fails fast on a bad setting, naming the field", () => {
    expect(() => new TpoChatModel({ ...createSimWorld(), settings: { width: 0 } })).toThrow(TpoSettingsError);
    expect(() => new TpoChatModel({ ...createSimWorld(), settings: { width: 0 } })).toThrow(/width/);
  });

  it("batches conversations with a concurrency limit", async () => {
    const policy = new CountingPolicy();
    const model = new TpoChatModel({
      policy,
      rewardModel: createSimWorld().rewardModel,
      settings: { width: 2, depth: 1, sampling: "n" },
    });
    const questions = [
      "How do I brew tea?",
      "Why is the sky blue?",
      "How do I learn Rust?",
      "What is a mortgage?",
      "How do tides work?",
    ];
    const answers = await model.batch(
      questions.map((q) => [new HumanMessage(q)]),
      { maxConcurrency: 2 },
    );
    expect(answers).toHaveLength(5);
    for (const answer of answers) expect(tpoMetadataOf(answer)?.tpo_history).toHaveLength(2);
    // Within one run the policy's requests follow one another, so requests in flight = runs in flight.
    expect(policy.peak).toBeLessThanOrEqual(2);
    expect(policy.requests).toBe(5 * 4);
  });

  it("caps concurrent runs across calls with the maxConcurrency parameter", async () => {
    const policy = new CountingPolicy();
    const model = new TpoChatModel({
      policy,
      rewardModel: createSimWorld().rewardModel,
      settings: { width: 2, depth: 1, sampling: "n" },
      maxConcurrency: 1,
    });
    await Promise.all(
      ["How do I brew tea?", "Why is the sky blue?", "How do tides work?"].map((q) => model.invoke(q)),
    );
    expect(policy.peak).toBe(1);
  });

  it("runs depths beyond LangGraph's default recursion limit, from a parent graph's node too", async () => {
    const model = simModel({ width: 1, depth: 6, seed: 1 });
    const parent = new StateGraph(MessagesAnnotation)
      .addNode("chat", async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addEdge(START, "chat")
      .addEdge("chat", END)
      .compile();
    const result = await parent.invoke({ messages: [new HumanMessage(QUESTION)] });
    expect(tpoMetadataOf(result.messages[1])?.tpo_history).toHaveLength(7);
  });

  it("streams the final answer only, as one chunk", async () => {
    const model = simModel();
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream(QUESTION)) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    const invoked = await simModel().invoke(QUESTION);
    expect(chunks[0].content).toBe(invoked.content);
    expect(tpoMetadataOf(chunks[0])?.tpo_score).toBe(tpoMetadataOf(invoked)?.tpo_score);
    expect(chunks[0].usage_metadata?.total_tokens).toBe(invoked.usage_metadata?.total_tokens);
  });

  it("refuses tools and structured output with a typed error", async () => {
    const model = simModel();
    const tool = { name: "lookup", description: "Looks something up", schema: z.object({ q: z.string() }) };
    expect(() => model.bindTools([tool])).toThrow(TpoUnsupportedError);
    expect(() => model.withStructuredOutput(z.object({ answer: z.string() }))).toThrow(TpoUnsupportedError);
    expect(() => model.withStructuredOutput(z.object({ answer: z.string() }))).toThrow(/text answers/);
    await expect(model.invoke(QUESTION, { tools: [tool] })).rejects.toThrow(TpoUnsupportedError);
  });

  it("works inside a LangChain chain", async () => {
    const prompt = ChatPromptTemplate.fromMessages([
      ["system", "You are a careful assistant."],
      ["human", "{question}"],
    ]);
    const chain = prompt.pipe(simModel());
    const answer = await chain.invoke({ question: QUESTION });
    expect(answer.content.length).toBeGreaterThan(0);
    expect(tpoMetadataOf(answer)?.tpo_history).toHaveLength(3);
  });

  it("works as the model of a LangGraph node, streaming only the final answer", async () => {
    const model = simModel();
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addEdge(START, "agent")
      .addEdge("agent", END)
      .compile();
    const result = await graph.invoke({ messages: [new HumanMessage(QUESTION)] });
    expect(result.messages).toHaveLength(2);
    expect(AIMessage.isInstance(result.messages[1])).toBe(true);
    expect(tpoMetadataOf(result.messages[1])?.tpo_score).toEqual(expect.any(Number));

    const streamed: string[] = [];
    for await (const [message] of await graph.stream(
      { messages: [new HumanMessage(QUESTION)] },
      { streamMode: "messages" },
    )) {
      streamed.push(message.content as string);
    }
    // The critic's critiques, gradients and rewrites run inside TPO and are not streamed.
    expect(streamed).toEqual([result.messages[1].content]);
  });

  it("runs as a black box inside a checkpointed graph: no nested checkpoints, threads keep working", async () => {
    const model = simModel({ width: 2, depth: 1, seed: 1 });
    const checkpointer = new MemorySaver();
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addEdge(START, "agent")
      .addEdge("agent", END)
      .compile({ checkpointer });
    const config = { configurable: { thread_id: "t" } };
    await graph.invoke({ messages: [new HumanMessage(QUESTION)] }, config);
    const second = await graph.invoke({ messages: [new HumanMessage("And a water stain?")] }, config);
    expect(second.messages.map((m) => m.getType())).toEqual(["human", "ai", "human", "ai"]);
    const namespaces = new Set<string>();
    for await (const saved of checkpointer.list(config))
      namespaces.add(String(saved.config.configurable?.checkpoint_ns));
    expect([...namespaces]).toEqual([""]);
  });
});
