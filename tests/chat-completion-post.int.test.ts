/**
 * TpoChatOpenAI sends a plain chat completion itself (src/models/chat-completion-post.ts), with
 * the headers the OpenAI SDK would send; whatever only the SDK can do still goes through it.
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { createOpenAIChatModel, TpoChatOpenAI } from "../src/models/chat/openai.js";
import { startStub, type Stub, type StubReply } from "./helpers/reward-stub.js";

const COMPLETION = {
  id: "c1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

let stub: Stub | undefined;

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function start(reply: () => StubReply = () => ({ json: COMPLETION })): Promise<Stub> {
  stub = await startStub(reply);
  return stub;
}

/** Whether the model's OpenAI SDK client was ever created (LangChain makes it on first use). */
function sdkClientOf(model: TpoChatOpenAI): unknown {
  return (model as unknown as { completions: { client?: unknown } }).completions.client;
}

describe("TpoChatOpenAI's own chat completion request", () => {
  it("sends the key, organization, project and configured headers as the SDK would, without the SDK", async () => {
    const s = await start();
    const model = new TpoChatOpenAI({
      model: "m",
      apiKey: "sk-test",
      configuration: {
        baseURL: `${s.url}/v1`,
        organization: "org-1",
        project: "proj-1",
        defaultHeaders: { "X-Team": "tpo" },
      },
    });
    const answer = await model.invoke([new HumanMessage("Hi")]);
    expect(answer.content).toBe("Hello.");
    expect(answer.usage_metadata).toMatchObject({ input_tokens: 3, output_tokens: 2, total_tokens: 5 });
    expect(s.requests).toHaveLength(1);
    const [request] = s.requests;
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers).toMatchObject({
      authorization: "Bearer sk-test",
      "openai-organization": "org-1",
      "openai-project": "proj-1",
      "x-team": "tpo",
      "content-type": "application/json",
    });
    expect(request.body).toMatchObject({
      model: "m",
      stream: false,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(sdkClientOf(model)).toBeUndefined();
  });

  it("leaves the request to the SDK when the caller brings a fetch of their own", async () => {
    const s = await start();
    let calls = 0;
    const ownFetch: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const model = new TpoChatOpenAI({
      model: "m",
      apiKey: "sk-test",
      configuration: { baseURL: `${s.url}/v1`, fetch: ownFetch },
    });
    expect((await model.invoke([new HumanMessage("Hi")])).content).toBe("Hello.");
    expect(calls).toBe(1);
    expect(sdkClientOf(model)).toBeDefined();
  });

  it("names the server's status, code and message when it refuses, and retries none of a 400", async () => {
    const s = await start(() => ({
      status: 400,
      json: { error: { message: "n must be 1", code: "invalid_n", type: "invalid_request_error" } },
    }));
    const model = createOpenAIChatModel({ baseUrl: `${s.url}/v1` }, "m");
    const error = (await model.invoke([new HumanMessage("Hi")]).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/status 400 \(400 n must be 1\)/);
    expect(s.requests).toHaveLength(1);
  });

  it("quotes the start of a body that is not JSON, not all of it", async () => {
    const page = `<html><body>${"Bad gateway. ".repeat(400)}</body></html>`;
    const s = await start(() => ({ status: 400, raw: page }));
    const model = createOpenAIChatModel({ baseUrl: `${s.url}/v1` }, "m");
    const error = (await model.invoke([new HumanMessage("Hi")]).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("400 <html><body>Bad gateway.");
    expect(error.message.length).toBeLessThan(page.length);
  });
});
