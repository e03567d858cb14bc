import { ChatOpenAI } from "@langchain/openai";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { TpoConfigError } from "../src/errors.js";
import { progressReasoning } from "../src/adapters/progress-reasoning.js";
import type { TpoModels } from "../src/models/tpo-models.js";
import type { TpoCompletionExtra } from "../src/server/completion.js";
import { startTpoServer, type TpoServerHandle, type TpoServerOptions } from "../src/server/openai-server.js";
import { parseTpoContext } from "../src/settings/run-settings.js";
import { createSimWorld, type SimChatModel } from "../src/sim/index.js";
import { GatedCritic } from "./helpers/gated-critic.js";
import { killChildren, runCli, startCli, waitUntil } from "./helpers/cli.js";

const QUESTION = "How do I take care of a wooden table?";
const RUN = { width: 3, depth: 2 };

/** A delta as vLLM and DeepSeek send it: the openai client's type plus `reasoning_content`. */
type Delta = OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };

const servers: TpoServerHandle[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
});

function simModels(critic?: SimChatModel): TpoModels {
  const world = createSimWorld();
  return { policy: world.policy, critic: critic ?? world.policy, rewardModel: world.rewardModel };
}

async function start(options: Partial<TpoServerOptions> = {}) {
  // The server serves the model its requests name (it refuses any other).
  const server = await startTpoServer({
    port: 0,
    models: () => simModels(),
    modelIds: ["tpo-sim"],
    ...options,
  });
  servers.push(server);
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  return { server, client };
}

function request(tpo: Record<string, unknown> = {}) {
  return {
    model: "tpo-sim",
    messages: [{ role: "user" as const, content: QUESTION }],
    seed: 5,
    tpo: { ...RUN, ...tpo },
  };
}

/** Streams a request with the openai client; returns the deltas in order and the final chunk's TPO extra. */
async function streamDeltas(client: OpenAI, body: ReturnType<typeof request>) {
  const stream = await client.chat.completions.create({
    ...(body as never as OpenAI.ChatCompletionCreateParamsStreaming),
    stream: true,
  });
  const deltas: Delta[] = [];
  const finishes: (string | null)[] = [];
  let tpo: TpoCompletionExtra | undefined;
  for await (const chunk of stream) {
    deltas.push(chunk.choices[0].delta as Delta);
    finishes.push(chunk.choices[0].finish_reason);
    tpo ??= (chunk as unknown as { tpo?: TpoCompletionExtra }).tpo;
  }
  return { deltas, finishes, tpo: tpo! };
}

async function complete(client: OpenAI, body: ReturnType<typeof request>) {
  const completion = await client.chat.completions.create(
    body as never as OpenAI.ChatCompletionCreateParamsNonStreaming,
  );
  const message = completion.choices[0].message as OpenAI.ChatCompletionMessage & {
    reasoning_content?: string;
  };
  return { message, tpo: (completion as unknown as { tpo: TpoCompletionExtra }).tpo };
}

const reasoningIn = (deltas: Delta[]) => deltas.filter((d) => d.reasoning_content !== undefined);
const contentIn = (deltas: Delta[]) => deltas.filter((d) => d.content);

describe("tpo serve: progress as reasoning_content", () => {
  it('streams each iteration as a reasoning delta before the answer, with "tpo": { "progress": "reasoning" }', async () => {
    const { client } = await start();
    const { deltas, tpo } = await streamDeltas(client, request({ progress: "reasoning" }));
    expect(deltas[0].role).toBe("assistant");
    const reasoning = reasoningIn(deltas);
    expect(reasoning).toHaveLength(4); // the plan, the first sampling, two iterations
    const lastReasoning = deltas.lastIndexOf(reasoning.at(-1)!);
    const firstContent = deltas.indexOf(contentIn(deltas)[0]);
    expect(lastReasoning).toBeLessThan(firstContent);
    const text = reasoning.map((d) => d.reasoning_content).join("");
    expect(text).toMatch(/^Optimising the answer with TPO: 3 responses per step, 2 rounds/);
    expect(text).toContain("\n\nSampled 3 responses; the best scores ");
    expect(text).toMatch(/\n\nIteration 1 of 2: best score so far [\d.]+ .*Critique: \S/);
    expect(text).toMatch(/\n\nIteration 2 of 2: best score so far /);
    expect(text).toBe(progressReasoning(tpo.history, parseTpoContext({ ...RUN, seed: 5 })));

    // The same request unstreamed: the same answer, and the same reasoning in the message.
    const whole = await complete(client, request({ progress: "reasoning" }));
    expect(whole.message.reasoning_content).toBe(text);
    expect(
      contentIn(deltas)
        .map((d) => d.content)
        .join(""),
    ).toBe(whole.message.content);
  });

  it("changes nothing when off: the same chunks as a request without the field, and no reasoning", async () => {
    const { client } = await start();
    const plain = await streamDeltas(client, request());
    const off = await streamDeltas(client, request({ progress: "off" }));
    expect(reasoningIn(plain.deltas)).toEqual([]);
    expect(plain.deltas).toEqual([
      { role: "assistant", content: "", refusal: null },
      { content: expect.any(String) },
      {},
    ]);
    expect(off.deltas).toEqual(plain.deltas);
    expect(off.finishes).toEqual(plain.finishes);
    const whole = await complete(client, request());
    expect(whole.message).not.toHaveProperty("reasoning_content");
    expect(whole.message.content).toBe(plain.deltas[1].content);
  });

  it("takes the server's default from its progress option; a request can turn it off", async () => {
    const { client } = await start({ progress: "reasoning" });
    const on = await streamDeltas(client, request());
    expect(reasoningIn(on.deltas)).toHaveLength(4);
    expect((await complete(client, request())).message.reasoning_content).toMatch(/^Optimising/);
    const off = await streamDeltas(client, request({ progress: "off" }));
    expect(reasoningIn(off.deltas)).toEqual([]);
    expect(off.deltas[0]).toEqual({ role: "assistant", content: "", refusal: null });
    await expect(
      startTpoServer({ port: 0, models: () => simModels(), progress: "loud" as never }),
    ).rejects.toThrow(TpoConfigError);
  });

  it("refuses a bad progress value with a 400 naming tpo.progress", async () => {
    const { client } = await start();
    const error = await client.chat.completions.create(request({ progress: "thinking" }) as never).then(
      () => null,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error!.param).toBe("tpo.progress");
    expect(error!.message).toContain('expected "off", "reasoning" or "events", got "thinking"');
  });

  it("sends each iteration as it finishes, while the run goes on", async () => {
    const critic = new GatedCritic();
    const { client } = await start({ models: () => simModels(critic) });
    const stream = await client.chat.completions.create({
      ...(request({ progress: "reasoning" }) as never as OpenAI.ChatCompletionCreateParamsStreaming),
      stream: true,
    });
    let paragraphs = 0;
    for await (const chunk of stream) {
      const text = (chunk.choices[0].delta as Delta).reasoning_content;
      if (text === undefined) continue;
      paragraphs++;
      // The critic waits until the first sampling's paragraph has reached the client.
      if (text.startsWith("Sampled")) critic.open();
    }
    expect(paragraphs).toBe(4);
    expect(critic.requests).toBeGreaterThan(1);
  });

  it("reaches LangChain's ChatOpenAI as additional_kwargs.reasoning_content", async () => {
    const { server } = await start();
    const model = new ChatOpenAI({
      model: "tpo-sim",
      apiKey: "unused",
      configuration: { baseURL: `${server.url}/v1` },
      maxRetries: 0,
      modelKwargs: { tpo: { ...RUN, progress: "reasoning" } },
    });
    let reasoning = "";
    let content = "";
    for await (const chunk of await model.stream(QUESTION)) {
      reasoning += (chunk.additional_kwargs.reasoning_content as string | undefined) ?? "";
      content += typeof chunk.content === "string" ? chunk.content : "";
    }
    expect(reasoning).toMatch(/^Optimising the answer with TPO[\s\S]*Iteration 2 of 2/);
    expect(content.length).toBeGreaterThan(0);
  });
});

describe("tpo serve --progress", () => {
  afterEach(killChildren);

  it("sets the server's default, and refuses an unknown mode with exit 2", async () => {
    const { child, done } = startCli(["serve", "--port", "0", "--progress", "reasoning"]);
    let out = "";
    child.stdout!.on("data", (d: string) => (out += d));
    await waitUntil(() => /listening on http:\/\/\S+:\d+/.test(out), 30_000, "the server to listen");
    const url = /listening on (http:\/\/\S+:\d+)/.exec(out)![1];
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const { message } = await complete(client, request());
    expect(message.reasoning_content).toMatch(/^Optimising the answer with TPO[\s\S]*Iteration 2 of 2/);
    child.kill("SIGTERM");
    await done;

    const bad = await runCli(["serve", "--port", "0", "--progress", "loud"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--progress must be off or reasoning, got "loud"');
  });
});
