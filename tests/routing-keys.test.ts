/**
 * Routing keys (issue 21): where a query's key comes from, and what a chat request carries. The
 * requests go to a fetch of the test's own, through the OpenAI SDK's path (no server).
 */
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { sampleResponses } from "../src/models/chat/sample-responses.js";
import { rendezvousOrder } from "../src/models/pool/rendezvous.js";
import { routingKeyOfRun } from "../src/nodes/stage-config.js";

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** A fetch that answers every chat completion with one choice, and keeps what was sent. */
function recordingFetch(sent: Sent[]): typeof fetch {
  return async (input, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    sent.push({
      url: String(input),
      headers,
      body: JSON.parse(String(init?.body)) as Record<string, unknown>,
    });
    const completion = {
      id: "c",
      object: "chat.completion",
      created: 0,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
    return new Response(JSON.stringify(completion), { headers: { "content-type": "application/json" } });
  };
}

function modelAt(baseUrl: string, sent: Sent[], affinity?: boolean) {
  return createOpenAIChatModel({ apiKey: "sk-test" }, "gpt-4o-mini", {
    configuration: { baseURL: baseUrl, fetch: recordingFetch(sent) },
    pool: { role: "policy", affinity },
  });
}

const ROUTING_HEADERS = ["x-session-id", "x-smg-routing-key", "x-litellm-session-id"];
const routed = (key: string) => ({ metadata: { tpo_routing_key: key } });
const ask = [new HumanMessage("hi")];
const SAMPLING = { temperature: 0.7, topP: 0.95, maxTokens: 16 };

describe("a query's routing key", () => {
  const runtime = (thread?: string | number) =>
    ({ configurable: thread === undefined ? {} : { thread_id: thread } }) as LangGraphRunnableConfig;

  it("is the thread's when the run has one, hashed", () => {
    const a = routingKeyOfRun(runtime("thread-1"), [new HumanMessage("one")]);
    expect(routingKeyOfRun(runtime("thread-1"), [new HumanMessage("two")])).toBe(a);
    expect(routingKeyOfRun(runtime("thread-2"), [new HumanMessage("one")])).not.toBe(a);
    expect(a).toMatch(/^tpo-[0-9a-f]{32}$/);
    expect(a).not.toContain("thread-1");
  });

  it("is else the conversation's up to its first user turn: later turns keep it, other queries differ", () => {
    const first = routingKeyOfRun(runtime(), [new HumanMessage("How do I brew tea?")]);
    const later = routingKeyOfRun(runtime(), [
      new HumanMessage("How do I brew tea?"),
      new AIMessage("Steep it."),
      new HumanMessage("How long?"),
    ]);
    expect(later).toBe(first);
    expect(routingKeyOfRun(runtime(), [new HumanMessage("How do I brew coffee?")])).not.toBe(first);
    expect(
      routingKeyOfRun(runtime(), [new SystemMessage("Be brief."), new HumanMessage("How do I brew tea?")]),
    ).not.toBe(first);
  });

  it("is a numeric thread id's too, one key per id", () => {
    const seven = routingKeyOfRun(runtime(7), [new HumanMessage("one")]);
    expect(routingKeyOfRun(runtime(7), [new HumanMessage("two")])).toBe(seven);
    expect(routingKeyOfRun(runtime(8), [new HumanMessage("one")])).not.toBe(seven);
    expect(routingKeyOfRun(runtime(), [new HumanMessage("one")])).not.toBe(seven);
  });

  it("tells apart queries under one system prompt, and conversations without a user turn", () => {
    const brief = new SystemMessage("Be brief.");
    const tea = routingKeyOfRun(runtime(), [brief, new HumanMessage("How do I brew tea?")]);
    expect(routingKeyOfRun(runtime(), [brief, new HumanMessage("How do I brew coffee?")])).not.toBe(tea);
    expect(routingKeyOfRun(runtime(), [new AIMessage("a")])).not.toBe(
      routingKeyOfRun(runtime(), [new AIMessage("b")]),
    );
  });

  it("keeps the turns apart: two system turns are not one that holds both texts", () => {
    const two = routingKeyOfRun(runtime(), [
      new SystemMessage("a"),
      new SystemMessage("b"),
      new HumanMessage("q"),
    ]);
    const one = routingKeyOfRun(runtime(), [new SystemMessage("asystem\u0000b"), new HumanMessage("q")]);
    expect(one).not.toBe(two);
  });
});

describe("what a chat request carries", () => {
  it("the key in three headers, and as prompt_cache_key to OpenAI's own API", async () => {
    const sent: Sent[] = [];
    await sampleResponses(
      modelAt("https://api.openai.com/v1", sent),
      ask,
      1,
      SAMPLING,
      "n",
      routed("tpo-k1"),
    );
    expect(ROUTING_HEADERS.map((h) => sent[0].headers[h])).toEqual(["tpo-k1", "tpo-k1", "tpo-k1"]);
    expect(sent[0].body.prompt_cache_key).toBe("tpo-k1");
  });

  it("no prompt_cache_key to other servers, which may refuse unknown fields", async () => {
    const sent: Sent[] = [];
    await sampleResponses(modelAt("http://vllm.test:8000/v1", sent), ask, 1, SAMPLING, "n", routed("tpo-k1"));
    expect(sent[0].headers["x-session-id"]).toBe("tpo-k1");
    expect(sent[0].body).not.toHaveProperty("prompt_cache_key");
  });

  it("nothing with affinity off, nor without a key", async () => {
    const sent: Sent[] = [];
    await sampleResponses(
      modelAt("https://api.openai.com/v1", sent, false),
      ask,
      1,
      SAMPLING,
      "n",
      routed("tpo-k1"),
    );
    await sampleResponses(modelAt("https://api.openai.com/v1", sent), ask, 1, SAMPLING, "n", {});
    for (const request of sent) {
      for (const header of ROUTING_HEADERS) expect(request.headers[header]).toBeUndefined();
      expect(request.body).not.toHaveProperty("prompt_cache_key");
    }
  });

  it("is a call option of the chat model, for calls outside the graph", async () => {
    const sent: Sent[] = [];
    await modelAt("http://vllm.test:8000/v1", sent).invoke(ask, { routingKey: "session-42" });
    expect(ROUTING_HEADERS.map((h) => sent[0].headers[h])).toEqual([
      "session-42",
      "session-42",
      "session-42",
    ]);
  });

  it("goes, through the SDK too, to the server that the key ranks first", async () => {
    const sent: Sent[] = [];
    const bases = ["http://gpu1.test/v1", "http://gpu2.test/v1", "http://gpu3.test/v1"];
    const model = modelAt(bases.join(","), sent);
    const urls = bases.map((b) => `${b}/chat/completions`);
    for (const key of ["tpo-a", "tpo-b", "tpo-c", "tpo-d", "tpo-e", "tpo-f"]) {
      sent.length = 0;
      await sampleResponses(model, ask, 1, SAMPLING, "n", routed(key));
      await sampleResponses(model, ask, 1, SAMPLING, "n", routed(key));
      expect(sent.map((s) => s.url)).toEqual(Array(2).fill(rendezvousOrder(key, urls, (u) => u)[0]));
    }
  });

  it("goes to the key's server when streamed too, the stream handed on as the server sent it", async () => {
    const urls: string[] = [];
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const streaming: typeof fetch = async (input) => {
      urls.push(String(input));
      const body = `${chunk({ role: "assistant", content: "str" }, null)}${chunk({ content: "eamed" }, "stop")}data: [DONE]\n\n`;
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    };
    const bases = ["http://gpu1.test/v1", "http://gpu2.test/v1", "http://gpu3.test/v1"];
    const model = createOpenAIChatModel({ apiKey: "sk-test" }, "m", {
      configuration: { baseURL: bases.join(","), fetch: streaming },
      pool: { role: "policy" },
    });
    let text = "";
    for await (const part of await model.stream(ask, { routingKey: "tpo-s" })) text += part.text;
    expect(text).toBe("streamed");
    const first = rendezvousOrder(
      "tpo-s",
      bases.map((b) => `${b}/chat/completions`),
      (u) => u,
    )[0];
    expect(urls).toEqual([first]);
  });
});
