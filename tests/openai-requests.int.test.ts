/**
 * TpoChatOpenAI's requests: the OpenAI SDK's, with our retries in the fetch it gives the SDK
 * (src/models/chat/retrying-fetch.ts), over a caller's own fetch when there is one.
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { ModelRequestError } from "../src/errors.js";
import { createOpenAIChatModel, TpoChatOpenAI } from "../src/models/chat/openai.js";
import { startStub, type Stub, type StubHandler, type StubReply } from "./helpers/reward-stub.js";

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

async function start(reply: StubHandler = () => ({ json: COMPLETION })): Promise<Stub> {
  stub = await startStub(reply);
  return stub;
}

describe("TpoChatOpenAI's chat completion requests", () => {
  it("sends the key, organization, project and configured headers", async () => {
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
  });

  it("sends every attempt through the caller's own fetch, retries included", async () => {
    const s = await start((_request, index) =>
      index === 0 ? { status: 503, json: { error: { message: "busy" } } } : { json: COMPLETION },
    );
    let calls = 0;
    const ownFetch: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const model = new TpoChatOpenAI({
      model: "m",
      apiKey: "sk-test",
      configuration: { baseURL: `${s.url}/v1`, fetch: ownFetch },
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    expect((await model.invoke([new HumanMessage("Hi")])).content).toBe("Hello.");
    expect(calls).toBe(2);
    expect(s.requests).toHaveLength(2);
  });

  it("ends with the ModelRequestError of its retries, on invoke and on stream", async () => {
    const s = await start(() => ({ status: 502, json: { error: { message: "bad gateway" } } }));
    const model = createOpenAIChatModel({ baseUrl: `${s.url}/v1` }, "m", {
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const invoked = await model.invoke([new HumanMessage("Hi")]).catch((e: unknown) => e);
    const streamed = await (async () => {
      for await (const chunk of await model.stream([new HumanMessage("Hi")])) void chunk;
    })().catch((e: unknown) => e);
    for (const error of [invoked, streamed]) {
      expect(error).toBeInstanceOf(ModelRequestError);
      expect((error as ModelRequestError).message).toMatch(
        /failed after 2 attempts: status 502 \(502 bad gateway\)/,
      );
      expect((error as ModelRequestError).attempts).toBe(2);
    }
    expect(s.requests).toHaveLength(4);
  });

  it("aborts at once with the caller's reason, during an attempt", async () => {
    const s = await start(() => new Promise<StubReply>(() => {}));
    const model = createOpenAIChatModel({ baseUrl: `${s.url}/v1` }, "m");
    const controller = new AbortController();
    const reason = new Error("stopped by the caller");
    setTimeout(() => controller.abort(reason), 50);
    const error = await model
      .invoke([new HumanMessage("Hi")], { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(s.requests).toHaveLength(1);
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
