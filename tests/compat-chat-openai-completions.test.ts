import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI, type ChatOpenAICallOptions, type ChatOpenAIFields } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { SeamedChatCompletions } from "../src/compat/chat-openai-completions.js";

/**
 * What src/compat/chat-openai-completions.ts relies on in @langchain/openai: ChatOpenAI sends every
 * chat completion through its `completions` field; that object builds each request's body in
 * `invocationParams(callOptions)` and sends it with `completionWithRetry`, whose request options'
 * headers reach the fetch, for whole and streamed answers alike. A failure here means that
 * LangChain changed these internals: update that file.
 */
const COMPLETION = {
  id: "c1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }],
};

const STREAM = [
  {
    id: "c1",
    object: "chat.completion.chunk",
    created: 0,
    model: "m",
    choices: [{ index: 0, delta: { role: "assistant", content: "Hel" } }],
  },
  {
    id: "c1",
    object: "chat.completion.chunk",
    created: 0,
    model: "m",
    choices: [{ index: 0, delta: { content: "lo." }, finish_reason: "stop" }],
  },
]
  .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
  .join("");

interface Sent {
  body: Record<string, unknown>;
  headers: Headers;
}

function seamedChatOpenAI(sent: Sent[]) {
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    sent.push({ body, headers: new Headers(init?.headers) });
    return body.stream
      ? new Response(`${STREAM}data: [DONE]\n\n`, { headers: { "content-type": "text/event-stream" } })
      : new Response(JSON.stringify(COMPLETION), { headers: { "content-type": "application/json" } });
  };
  const fields: ChatOpenAIFields = { model: "m", apiKey: "x", maxRetries: 0, configuration: { fetch } };
  const completions = new SeamedChatCompletions<ChatOpenAICallOptions>(fields, {
    editParams: (params, options) => {
      if (options?.seed !== undefined) params.temperature = options.seed / 10;
    },
    headers: (options) => (options?.seed === undefined ? undefined : { "x-seed": String(options.seed) }),
  });
  return new ChatOpenAI({ ...fields, completions });
}

describe("ChatOpenAICompletions' seams, as SeamedChatCompletions uses them", () => {
  it("edits the body and adds headers from a call's options, for a whole answer", async () => {
    const sent: Sent[] = [];
    const answer = await seamedChatOpenAI(sent).invoke([new HumanMessage("q")], { seed: 3 });
    expect(answer.text).toBe("Hello.");
    expect(sent[0].body).toMatchObject({ seed: 3, temperature: 0.3 });
    expect(sent[0].headers.get("x-seed")).toBe("3");
  });

  it("does the same for a streamed answer", async () => {
    const sent: Sent[] = [];
    let text = "";
    for await (const chunk of await seamedChatOpenAI(sent).stream([new HumanMessage("q")], { seed: 4 })) {
      text += chunk.text;
    }
    expect(text).toBe("Hello.");
    expect(sent[0].body).toMatchObject({ stream: true, seed: 4, temperature: 0.4 });
    expect(sent[0].headers.get("x-seed")).toBe("4");
  });

  it("leaves a call without those options as ChatOpenAI sends it", async () => {
    const sent: Sent[] = [];
    await seamedChatOpenAI(sent).invoke([new HumanMessage("q")]);
    expect(sent[0].body.temperature).toBeUndefined();
    expect(sent[0].headers.get("x-seed")).toBeNull();
  });
});
