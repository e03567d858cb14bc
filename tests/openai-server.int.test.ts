import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import type { TpoModels } from "../src/models/tpo-models.js";
import type { TpoCompletionExtra } from "../src/server/completion.js";
import { startTpoServer, type TpoServerHandle, type TpoServerOptions } from "../src/server/openai-server.js";
import { createSimWorld, SimChatModel } from "../src/sim/index.js";

const QUESTION = "How do I take care of a wooden table?";

function simModels(): TpoModels {
  const world = createSimWorld();
  return { policy: world.policy, critic: world.policy, rewardModel: world.rewardModel };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A simulated policy whose requests wait until released (or, as a bound, for 20 s) and stop at
 * once when their AbortSignal fires. It records what it saw.
 */
class SlowPolicy extends SimChatModel {
  requests = 0;
  aborted = false;
  readonly started = deferred();
  readonly sawAbort = deferred();
  private readonly gate = deferred();

  release(): void {
    this.gate.resolve();
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.requests++;
    this.started.resolve();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 20_000);
      void this.gate.promise.then(() => {
        clearTimeout(timer);
        resolve();
      });
      const onAbort = () => {
        clearTimeout(timer);
        this.aborted = true;
        this.sawAbort.resolve();
        reject(options.signal?.reason ?? new Error("aborted"));
      };
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener("abort", onAbort, { once: true });
    });
    return super._generate(messages, options);
  }
}

function slowModels(policy: SlowPolicy): TpoModels {
  return { policy, critic: policy, rewardModel: createSimWorld().rewardModel };
}

const servers: TpoServerHandle[] = [];

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

async function errorOf(response: Response): Promise<ErrorBody["error"]> {
  return ((await response.json()) as ErrorBody).error;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
});

async function start(options: Partial<TpoServerOptions> = {}) {
  const requested: (string | undefined)[] = [];
  const server = await startTpoServer({
    port: 0,
    // The model names the tests' requests use: the server refuses any other.
    modelIds: ["tpo-sim", "my-policy"],
    models: (model) => {
      requested.push(model);
      return simModels();
    },
    ...options,
  });
  servers.push(server);
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  return { server, client, requested };
}

async function expectApiError(promise: Promise<unknown>, status: number) {
  const error = await promise.then(
    () => {
      throw new Error(`expected an error with status ${status}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe("the OpenAI-compatible TPO server", () => {
  it("answers a chat completion with TPO's best response, summed usage and the history", async () => {
    const { client, requested } = await start();
    const completion = await client.chat.completions.create({
      model: "my-policy",
      messages: [
        { role: "system", content: "Be practical." },
        { role: "user", content: QUESTION },
      ],
    });
    const direct = await createTpoGraph(simModels()).invoke({
      messages: [new SystemMessage("Be practical."), new HumanMessage(QUESTION)],
    });
    expect(requested).toEqual(["my-policy"]);
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("my-policy");
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(completion.choices[0].message.role).toBe("assistant");
    expect(completion.choices[0].message.content).toBe(direct.best?.text);
    const { tpo } = completion as unknown as { tpo: TpoCompletionExtra };
    expect(tpo.score).toBe(direct.best?.score);
    expect(tpo.history).toHaveLength(3); // the default depth of 2, plus the first sampling
    expect(tpo.usage.modelRequests).toBe(direct.usage.modelRequests);
    expect(completion.usage?.prompt_tokens).toBe(tpo.usage.promptTokens);
    expect(completion.usage?.completion_tokens).toBe(tpo.usage.completionTokens);
    expect(completion.usage?.total_tokens).toBe(tpo.usage.promptTokens + tpo.usage.completionTokens);
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
  });

  it("builds a served model's models once, for the server's life, and again only after a failure", async () => {
    const { client, requested } = await start();
    const ask = (model: string) =>
      client.chat.completions.create({
        model,
        messages: [{ role: "user", content: QUESTION }],
        tpo: { width: 1, depth: 0 },
      } as never);
    await Promise.all([ask("my-policy"), ask("my-policy")]);
    await ask("my-policy");
    await ask("tpo-sim");
    await ask("tpo-sim");
    expect(requested).toEqual(["my-policy", "tpo-sim"]);

    let calls = 0;
    const flaky = await start({
      models: () => {
        calls += 1;
        if (calls === 1) throw new Error("the policy server is not up yet");
        return simModels();
      },
    });
    await expectApiError(
      flaky.client.chat.completions.create({ model: "tpo-sim", messages: [{ role: "user", content: QUESTION }] }),
      500,
    );
    await flaky.client.chat.completions.create({
      model: "tpo-sim",
      messages: [{ role: "user", content: QUESTION }],
      tpo: { width: 1, depth: 0 },
    } as never);
    await flaky.client.chat.completions.create({
      model: "tpo-sim",
      messages: [{ role: "user", content: QUESTION }],
      tpo: { width: 1, depth: 0 },
    } as never);
    expect(calls).toBe(2);
  });

  it("lists its models", async () => {
    const { client } = await start({ modelIds: ["tpo-sim"] });
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(["tpo-sim"]);
  });

  it("streams the final answer as chat.completion.chunk events after progress comments", async () => {
    const { client, server } = await start();
    const body = {
      model: "tpo-sim",
      messages: [{ role: "user" as const, content: QUESTION }],
      seed: 5,
      tpo: { width: 3, depth: 1 },
    };
    const plain = await client.chat.completions.create(
      body as never as OpenAI.ChatCompletionCreateParamsNonStreaming,
    );
    const stream = await client.chat.completions.create({
      ...(body as never as OpenAI.ChatCompletionCreateParamsStreaming),
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = "";
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      content += chunk.choices[0]?.delta.content ?? "";
    }
    expect(content).toBe(plain.choices[0].message.content);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe("stop");
    // The same run's usage; the repeat finds more of its prompts in the policy's prefix cache, which
    // lives as long as the server's models.
    const { prompt_tokens_details: streamedCache, ...streamed } = chunks.at(-1)!.usage!;
    const { prompt_tokens_details: plainCache, ...whole } = plain.usage!;
    expect(streamed).toEqual(whole);
    expect(streamedCache!.cached_tokens).toBeGreaterThan(plainCache!.cached_tokens!);

    // The raw stream: progress comments first, then data events, then [DONE].
    const raw = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true }),
    });
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await raw.text();
    expect(text.startsWith(": tpo run started (width 3, depth 1, mode tpo)\n\n")).toBe(true);
    for (const step of ["generate", "reward", "select", "critique", "gradient", "update", "finalize"]) {
      expect(text).toContain(`: tpo ${step}`);
    }
    expect(text.indexOf(": tpo finalize")).toBeLessThan(text.indexOf("data: "));
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("takes run settings from the tpo field and refuses bad ones with a 400 naming the field", async () => {
    const { client } = await start();
    const messages = [{ role: "user" as const, content: QUESTION }];
    const bon = (await client.chat.completions.create({
      model: "tpo-sim",
      messages,
      tpo: { width: 2, mode: "bon" },
    } as never)) as unknown as { tpo: { history: { candidates: number }[]; settings: { width: number } } };
    expect(bon.tpo.history).toHaveLength(1);
    expect(bon.tpo.history[0].candidates).toBeLessThanOrEqual(2);
    expect(bon.tpo.settings.width).toBe(2);

    const deeper = (await client.chat.completions.create({
      model: "tpo-sim",
      messages,
      tpo: { width: 2, depth: 3 },
    } as never)) as unknown as { tpo: { history: unknown[] } };
    expect(deeper.tpo.history).toHaveLength(4);

    const tooWide = await expectApiError(
      client.chat.completions.create({ model: "tpo-sim", messages, tpo: { width: 0 } } as never),
      400,
    );
    expect(tooWide.param).toBe("tpo.width");
    expect(tooWide.type).toBe("invalid_request_error");
    expect(tooWide.message).toMatch(/tpo\.width/);

    const typo = await expectApiError(
      client.chat.completions.create({ model: "tpo-sim", messages, tpo: { widht: 3 } } as never),
      400,
    );
    expect(typo.param).toBe("tpo.widht");

    const topP = await expectApiError(
      client.chat.completions.create({ model: "tpo-sim", messages, top_p: 3 }),
      400,
    );
    expect(topP.param).toBe("top_p");
  });

  it("refuses a wrong or missing bearer token and accepts the right one", async () => {
    const { server } = await start({ apiKey: "s3cret-key" });
    const client = (apiKey: string) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
    const request = { model: "tpo-sim", messages: [{ role: "user" as const, content: QUESTION }] };

    const wrong = await expectApiError(client("s3cret-kez").chat.completions.create(request), 401);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(wrong.code).toBe("invalid_api_key");
    await expectApiError(client("short").chat.completions.create(request), 401);
    const missing = await fetch(`${server.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).code).toBe("invalid_api_key");

    const completion = await client("s3cret-key").chat.completions.create(request);
    expect(completion.choices[0].message.content).toEqual(expect.any(String));
    const models = await client("s3cret-key").models.list();
    expect(models.data.map((m) => m.id)).toEqual(["tpo-sim", "my-policy"]);
  });

  it("refuses an oversized body with a 413", async () => {
    const { client } = await start({ maxBodyBytes: 4_000 });
    const error = await expectApiError(
      client.chat.completions.create({
        model: "tpo-sim",
        messages: [{ role: "user", content: "x".repeat(10_000) }],
      }),
      413,
    );
    expect(error.code).toBe("request_too_large");
    // A chunked body without a Content-Length is cut off at the limit too.
    const { server } = await start({ maxBodyBytes: 4_000 });
    const big = JSON.stringify({
      model: "tpo-sim",
      messages: [{ role: "user", content: "y".repeat(10_000) }],
    });
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("refuses malformed and invalid bodies with clear 400s in OpenAI's format", async () => {
    const { client, server } = await start();
    const post = (body: string) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    const notJson = await post("{not json");
    expect(notJson.status).toBe(400);
    const notJsonError = await errorOf(notJson);
    expect(notJsonError).toMatchObject({ type: "invalid_request_error", code: "invalid_json", param: null });
    expect(notJsonError.message).toMatch(/could not parse the JSON body/);

    const array = await post("[1, 2]");
    expect(array.status).toBe(400);
    expect((await errorOf(array)).message).toMatch(/JSON object/);

    const noMessages = await expectApiError(
      client.chat.completions.create({ model: "tpo-sim", messages: [] }),
      400,
    );
    expect(noMessages.param).toBe("messages");

    const endsWithAssistant = await expectApiError(
      client.chat.completions.create({
        model: "tpo-sim",
        messages: [
          { role: "user", content: QUESTION },
          { role: "assistant", content: "Oil it." },
        ],
      }),
      400,
    );
    expect(endsWithAssistant.message).toMatch(/last message must be the user's turn/);

    const badRole = await expectApiError(
      client.chat.completions.create({
        model: "tpo-sim",
        messages: [{ role: "tool", content: "x", tool_call_id: "1" }],
      }),
      400,
    );
    expect(badRole.param).toBe("messages[0].role");

    const image = await expectApiError(
      client.chat.completions.create({
        model: "tpo-sim",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://x/y.png" } }] }],
      }),
      400,
    );
    expect(image.param).toBe("messages[0].content");

    const twoAnswers = await expectApiError(
      client.chat.completions.create({
        model: "tpo-sim",
        messages: [{ role: "user", content: QUESTION }],
        n: 2,
      }),
      400,
    );
    expect(twoAnswers.param).toBe("n");

    const unknownRoute = await fetch(`${server.url}/v1/completions`, { method: "POST", body: "{}" });
    expect(unknownRoute.status).toBe(404);
    expect((await errorOf(unknownRoute)).code).toBe("unknown_url");
  });

  it("reports a failed run as a 500, or as an error event once the stream has started", async () => {
    const broken: TpoModels = {
      ...simModels(),
      rewardModel: { name: "broken", score: async () => [Number.NaN] },
    };
    const { client } = await start({ models: () => broken });
    const request = {
      model: "tpo-sim",
      messages: [{ role: "user" as const, content: QUESTION }],
      tpo: { width: 1 },
    };
    const failed = await expectApiError(client.chat.completions.create(request as never), 500);
    expect(failed.type).toBe("server_error");
    expect(failed.message).toMatch(/Reward model "broken" returned a non-finite score/);

    const stream = await client.chat.completions.create({
      ...(request as never as object),
      stream: true,
    } as never);
    const consume = async () => {
      for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
        // the answer never comes
      }
    };
    await expect(consume()).rejects.toThrow(/non-finite score/);
  });

  it("caps concurrent runs with a 429 and Retry-After", async () => {
    const policy = new SlowPolicy();
    const { client } = await start({
      models: () => slowModels(policy),
      maxConcurrentRuns: 1,
      retryAfterSeconds: 3,
    });
    const request = { model: "tpo-sim", messages: [{ role: "user" as const, content: QUESTION }] };
    const first = client.chat.completions.create(request);
    await policy.started.promise;
    const refused = await expectApiError(client.chat.completions.create(request), 429);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused.headers?.get("retry-after")).toBe("3");
    expect(refused.type).toBe("rate_limit_error");
    policy.release();
    const completion = await first;
    expect(completion.choices[0].message.content).toEqual(expect.any(String));
    // The slot is free again.
    await expect(client.chat.completions.create(request)).resolves.toBeTruthy();
  });

  it("cancels the run when the client disconnects: the policy sees the abort and gets no more requests", async () => {
    const policy = new SlowPolicy();
    const { client, server } = await start({ models: () => slowModels(policy) });
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: "tpo-sim", messages: [{ role: "user", content: QUESTION }] },
      { signal: controller.signal },
    );
    await policy.started.promise;
    controller.abort();
    await expect(pending).rejects.toThrow();
    await policy.sawAbort.promise;
    await server.close({ graceMs: 30_000 }); // resolves once the run has ended
    expect(policy.aborted).toBe(true);
    expect(policy.requests).toBe(1);
    expect(server.activeRuns()).toBe(0);
  });

  it("cancels a streaming run when the client goes away mid-stream", async () => {
    const policy = new SlowPolicy();
    const { client, server } = await start({ models: () => slowModels(policy) });
    const stream = await client.chat.completions.create({
      model: "tpo-sim",
      messages: [{ role: "user", content: QUESTION }],
      stream: true,
    });
    await policy.started.promise;
    stream.controller.abort();
    await policy.sawAbort.promise;
    await server.close({ graceMs: 30_000 });
    expect(policy.requests).toBe(1);
  });

  it("on close, lets a run in flight finish and refuses new connections", async () => {
    const policy = new SlowPolicy();
    const { client, server } = await start({ models: () => slowModels(policy) });
    const pending = client.chat.completions.create({
      model: "tpo-sim",
      messages: [{ role: "user", content: QUESTION }],
    });
    await policy.started.promise;
    const closed = server.close({ graceMs: 30_000 });
    policy.release();
    const completion = await pending;
    expect(completion.choices[0].message.content).toEqual(expect.any(String));
    await closed;
    expect(policy.aborted).toBe(false);
    await expect(fetch(`${server.url}/v1/models`)).rejects.toThrow();
  });

  it("on close with no grace left, cancels the runs in flight", async () => {
    const policy = new SlowPolicy();
    const { client, server } = await start({ models: () => slowModels(policy) });
    const pending = client.chat.completions.create({
      model: "tpo-sim",
      messages: [{ role: "user", content: QUESTION }],
    });
    await policy.started.promise;
    await server.close({ graceMs: 0 });
    const error = await expectApiError(pending, 503);
    expect(error.message).toMatch(/shutting down/);
    expect(policy.aborted).toBe(true);
    expect(policy.requests).toBe(1);
  });
});
