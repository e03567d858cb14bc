import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { ModelRequestError } from "../src/errors.js";
import { createTpoGraph } from "../src/graph/builder.js";
import type { TpoContextInput } from "../src/settings/run-settings.js";
import { modelSettingsFromEnv } from "../src/from-env/models-from-env.js";
import { createOpenAIChatModel, TpoChatOpenAI, type TpoChatOpenAIFields } from "../src/models/chat/openai.js";
import { createSimWorld, SimRewardModel } from "../src/sim/index.js";
import { startSimServer, type SimRequest, type SimServer, type SimServerOptions } from "../src/sim/server.js";

const QUERY = "How do I take care of a wooden table?";
const CHAT = "/v1/chat/completions";

let server: SimServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: SimServerOptions = {}): Promise<SimServer> {
  server = await startSimServer(options);
  return server;
}

/** Retries without real waiting: backoff of a few milliseconds. */
const FAST_RETRY: Partial<TpoChatOpenAIFields> = { retry: { baseDelayMs: 1, maxDelayMs: 4 } };

function policyFor(s: SimServer, overrides: Partial<TpoChatOpenAIFields> = FAST_RETRY) {
  return createOpenAIChatModel({ baseUrl: `${s.url}/v1` }, "tpo-sim", overrides);
}

function run(s: SimServer, context: TpoContextInput, overrides?: Partial<TpoChatOpenAIFields>) {
  const graph = createTpoGraph({ policy: policyFor(s, overrides), rewardModel: new SimRewardModel() });
  return graph.invoke({ query: QUERY }, { context });
}

type ChatBody = {
  n?: number;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stream?: boolean;
  messages: { role: string; content: string }[];
};

function chatBodies(s: SimServer): ChatBody[] {
  return (s.stats.bodies[CHAT] ?? []) as ChatBody[];
}

const isUpdate = (r: SimRequest) =>
  (r.body as ChatBody | undefined)?.messages?.some((m) => m.content.includes("<suggestions>")) ?? false;

describe("the OpenAI-compatible policy over HTTP", () => {
  it("puts n, temperature, top_p, max_tokens and seed in the request and reports usage", async () => {
    const s = await start();
    const policy = policyFor(s);
    const result = await policy.generate([[new HumanMessage(QUERY)]], {
      n: 3,
      temperature: 0.4,
      topP: 0.8,
      maxTokens: 50,
      seed: 12,
    } as never);
    expect(result.generations[0]).toHaveLength(3);
    expect(chatBodies(s)[0]).toMatchObject({ n: 3, temperature: 0.4, top_p: 0.8, max_tokens: 50, seed: 12 });
    expect(chatBodies(s)[0].stream).toBeFalsy();
    expect(result.llmOutput?.tokenUsage).toMatchObject({ promptTokens: 9 });
    expect(result.llmOutput?.tokenUsage.completionTokens).toBeGreaterThan(0);
  });

  it("keeps its request building through withConfig", async () => {
    const s = await start();
    const bound = policyFor(s).withConfig({ temperature: 0.3, seed: 3 });
    expect(bound).toBeInstanceOf(TpoChatOpenAI);
    await bound.invoke(QUERY);
    expect(chatBodies(s)[0]).toMatchObject({ temperature: 0.3, seed: 3 });
  });

  it("runs D2-N5 in 1 + 3·D chat requests with every step's settings, and matches the in-process run", async () => {
    const s = await start();
    const context = {
      width: 5,
      depth: 2,
      seed: 42,
      temperature: 0.9,
      topP: 0.8,
      maxTokens: 300,
      criticTemperature: 0.1,
      criticMaxTokens: 200,
    };
    const result = await run(s, context);
    expect(s.stats.count(CHAT)).toBe(1 + 3 * 2);
    const bodies = chatBodies(s);
    // Sample i of iteration k gets seed + k·N + i: the n request of iteration k carries seed + 5k.
    const sampling = (k: number) => ({
      n: 5,
      temperature: 0.9,
      top_p: 0.8,
      max_tokens: 300,
      seed: 42 + 5 * k,
    });
    // The critic's requests of iteration k carry seed + 5k too, and the critic's own top_p.
    const critic = (k: number) => ({
      n: 1,
      temperature: 0.1,
      top_p: 0.99,
      max_tokens: 200,
      seed: 42 + 5 * k,
    });
    // generate, then critique, gradient, update per iteration
    [sampling(0), critic(1), critic(1), sampling(1), critic(2), critic(2), sampling(2)].forEach(
      (expected, i) => expect(bodies[i]).toMatchObject(expected),
    );
    expect(result.history.map((r) => r.sampling)).toEqual(["n", "n", "n"]);
    expect(result.usage.modelRequests).toBe(7);

    const inProcess = await createTpoGraph(createSimWorld()).invoke({ query: QUERY }, { context });
    expect(result.best).toEqual(inProcess.best);
    expect(result.pool.map((c) => c.text)).toEqual(inProcess.pool.map((c) => c.text));
    expect(result.usage.promptTokens).toBe(inProcess.usage.promptTokens);
    expect(result.usage.completionTokens).toBe(inProcess.usage.completionTokens);
  });

  it("falls back to parallel requests with seed + i when the server ignores n", async () => {
    const s = await start({ ignoreN: true });
    const result = await run(s, { width: 4, depth: 1, seed: 100 });
    const generate = result.history[0];
    expect(generate.sampling).toBe("n+parallel");
    expect(generate.candidates).toBe(4);
    expect(new Set(result.pool.filter((c) => c.iteration === 0).map((c) => c.text)).size).toBe(4);
    // generate: one n=4 request and three singles; then critique, gradient, and the same for update
    expect(s.stats.count(CHAT)).toBe(4 + 2 + 4);
    expect(
      chatBodies(s)
        .slice(0, 4)
        .map((b) => [b.n, b.seed]),
    ).toEqual([
      [4, 100],
      [1, 101],
      [1, 102],
      [1, 103],
    ]);
    expect(result.history[1].sampling).toBe("n+parallel");
  });

  it("sends one request per sample with sampling 'parallel'", async () => {
    const s = await start();
    const result = await run(s, { width: 3, depth: 0, seed: 5, sampling: "parallel" });
    expect(result.history[0].sampling).toBe("parallel");
    expect(chatBodies(s).map((b) => [b.n, b.seed])).toEqual([
      [1, 5],
      [1, 6],
      [1, 7],
    ]);
  });

  it("does not stream n > 1 requests even when a streaming callback listens", async () => {
    const s = await start();
    const graph = createTpoGraph({ policy: policyFor(s), rewardModel: new SimRewardModel() });
    let final: { pool?: { iteration: number }[] } = {};
    const stream = await graph.stream(
      { query: QUERY },
      { context: { width: 3, depth: 1, seed: 3 }, streamMode: ["messages", "values"] },
    );
    for await (const [mode, chunk] of stream) if (mode === "values") final = chunk as typeof final;
    const bodies = chatBodies(s);
    expect(bodies[0]).toMatchObject({ n: 3 });
    expect(bodies[0].stream).toBeFalsy();
    // single-choice requests may stream: the critique did
    expect(bodies[1]).toMatchObject({ n: 1, stream: true });
    expect(final.pool?.filter((c) => c.iteration === 0)).toHaveLength(3);
  });
});

describe("faults over HTTP", () => {
  it("waits as a 429's Retry-After asks, then completes", async () => {
    const s = await start({ faults: [{ kind: "status", status: 429, retryAfter: 0, times: 1 }] });
    const result = await run(
      s,
      { width: 3, depth: 1, seed: 1 },
      { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } },
    );
    expect(result.best).not.toBeNull();
    expect(s.stats.count(CHAT)).toBe(1 + 1 + 3);
    expect(s.stats.log[0].status).toBe(429);
  });

  it("fails generate with one error naming the URL and the last status when 500s outlast the retries", async () => {
    const s = await start({ faults: [{ kind: "status", status: 500 }] });
    const error = await run(
      s,
      { width: 3, depth: 1 },
      { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    const e = error as ModelRequestError;
    expect(e.message).toContain(`${s.url}/v1/chat/completions`);
    expect(e.message).toContain("status 500");
    expect(e.status).toBe(500);
    expect(e.attempts).toBe(3);
    expect(s.stats.count(CHAT)).toBe(3);
  });

  it("does not retry a 400, and names it", async () => {
    const s = await start({ faults: [{ kind: "status", status: 400, message: "bad request" }] });
    const error = await run(s, { width: 1, depth: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as ModelRequestError).status).toBe(400);
    expect(s.stats.count(CHAT)).toBe(1);
  });

  it("falls back to parallel requests in auto mode when the server rejects n with a 400", async () => {
    const s = await start({
      faults: [{ kind: "status", status: 400, when: (r) => ((r.body as ChatBody).n ?? 1) > 1 }],
    });
    const result = await run(s, { width: 3, depth: 0, seed: 8 });
    expect(result.history[0].sampling).toBe("parallel");
    expect(result.history[0].candidates).toBe(3);
  });

  it("continues when some parallel update requests fail for good, and counts the failures", async () => {
    const seed = 20;
    const s = await start({
      faults: [
        {
          kind: "status",
          status: 503,
          // the update of iteration 1 draws seeds seed + 1·4 + i
          when: (r) => isUpdate(r) && [seed + 4 + 1, seed + 4 + 3].includes((r.body as ChatBody).seed ?? -1),
        },
      ],
    });
    const result = await run(s, { width: 4, depth: 1, seed, sampling: "parallel" });
    const update = result.history[1];
    expect(update.failures).toBe(2);
    expect(update.candidates).toBe(2);
    expect(update.sampling).toBe("parallel");
    expect(result.best).not.toBeNull();
    // 4 generate + critique + gradient + 2 good updates + 2 failing updates × (1 + 3 retries)
    expect(s.stats.count(CHAT)).toBe(4 + 2 + 2 + 2 * 4);
  });

  it("fails update when none of its requests arrive", async () => {
    const s = await start({ faults: [{ kind: "status", status: 502, when: isUpdate }] });
    const error = await run(s, { width: 3, depth: 1, sampling: "parallel" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toContain("status 502");
  });

  it("fails with a clear error when every attempt times out (settings from the environment)", async () => {
    const s = await start({ faults: [{ kind: "delay", ms: 600_000 }] });
    const settings = modelSettingsFromEnv({
      OPENAI_BASE_URL: `${s.url}/v1`,
      TPO_MODEL: "tpo-sim",
      TPO_MAX_RETRIES: "1",
      TPO_TIMEOUT_MS: "300",
    });
    expect(settings).toMatchObject({ maxRetries: 1, timeoutMs: 300 });
    const policy = createOpenAIChatModel(settings, settings.model!, FAST_RETRY);
    const graph = createTpoGraph({ policy, rewardModel: new SimRewardModel() });
    const error = await graph
      .invoke({ query: QUERY }, { context: { width: 2, depth: 0 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toContain("no response within 300 ms");
    expect((error as Error).message).toContain(s.url);
    expect((error as ModelRequestError).attempts).toBe(2);
  });

  it("retries a 200 whose body is not JSON like a 5xx, then fails with a clear error", async () => {
    const s = await start({ faults: [{ kind: "malformed" }] });
    const error = await run(s, { width: 2, depth: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toContain(
      "failed after 4 attempts: status 200 with a body that is not JSON",
    );
    expect((error as ModelRequestError).status).toBe(200);
    expect(s.stats.count("/v1/chat/completions")).toBe(4);

    s.setFaults([{ kind: "malformed", html: true, times: 1 }]);
    const state = await run(s, { width: 2, depth: 0 });
    expect(state.best).not.toBeNull();
  });

  it("tops up an n request that came back with no choices", async () => {
    const s = await start({ faults: [{ kind: "empty-choices", times: 1 }] });
    const result = await run(s, { width: 3, depth: 0, seed: 4 });
    expect(result.history[0].sampling).toBe("n+parallel");
    expect(result.history[0].candidates).toBe(3);
  });

  it("fails with a clear error when a server never returns choices", async () => {
    const s = await start({ faults: [{ kind: "empty-choices" }] });
    const error = await run(s, { width: 2, depth: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toContain("returned no choices");
  });

  it("fails with a clear error when nothing listens at the URL", async () => {
    const s = await start();
    await s.close();
    server = undefined;
    const error = await run(
      s,
      { width: 2, depth: 0 },
      { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toMatch(/connection failed/);
    expect((error as Error).message).toContain(s.url);
  });
});
