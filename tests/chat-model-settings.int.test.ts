import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { completeOnce } from "../src/models/chat/sample-responses.js";
import { SimRewardModel } from "../src/sim/index.js";
import { startSimServer, type SimServer } from "../src/sim/server.js";

const QUERY = "How do I take care of a wooden table?";
const CHAT = "/v1/chat/completions";

type ChatBody = {
  n?: number;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  seed?: number;
  stream?: boolean;
};

let server: SimServer | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

async function start(): Promise<SimServer> {
  server = await startSimServer();
  return server;
}

function chatBodies(s: SimServer): ChatBody[] {
  return (s.stats.bodies[CHAT] ?? []) as ChatBody[];
}

/** A plain ChatOpenAI, as a user builds it, with sampling values of its own. */
function plainChatOpenAI(s: SimServer): ChatOpenAI {
  return new ChatOpenAI({
    model: "tpo-sim",
    apiKey: "x",
    configuration: { baseURL: `${s.url}/v1` },
    temperature: 0.9,
    maxTokens: 500,
    maxRetries: 0,
  });
}

/** The values a ChatOpenAI and the completions client it delegates to read when building a request. */
function samplingFieldsOf(model: ChatOpenAI) {
  const completions = (model as unknown as { completions: ChatOpenAI }).completions;
  const pick = (m: { temperature?: number; topP?: number; maxTokens?: number; n?: number }) => ({
    temperature: m.temperature,
    topP: m.topP,
    maxTokens: m.maxTokens,
    n: m.n,
  });
  return {
    outer: pick(model),
    completions: pick(completions),
    disableStreaming: model.disableStreaming,
    keys: Object.keys(model),
    completionKeys: Object.keys(completions),
  };
}

const CONTEXT = {
  width: 3,
  depth: 1,
  temperature: 0.3,
  topP: 0.8,
  maxTokens: 77,
  criticTemperature: 0.2,
  criticMaxTokens: 99,
  seed: 5,
};

describe("settings reach a plain ChatOpenAI", () => {
  it("puts the run's settings in every generate, critique, gradient and update request", async () => {
    const s = await start();
    const policy = plainChatOpenAI(s);
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const result = await createTpoGraph({ policy, rewardModel: new SimRewardModel() }).invoke(
      { query: QUERY },
      { context: CONTEXT },
    );
    expect(result.best).not.toBeNull();
    const bodies = chatBodies(s);
    // generate (n), critique, gradient, update (n): no top-ups, so n reached the server
    expect(bodies).toHaveLength(4);
    const [generate, critique, gradient, update] = bodies;
    const sampling = { n: 3, temperature: 0.3, top_p: 0.8, max_tokens: 77 };
    expect(generate).toMatchObject({ ...sampling, seed: 5 });
    // update k draws seed + k·N
    expect(update).toMatchObject({ ...sampling, seed: 5 + 3 });
    for (const body of [critique, gradient]) {
      expect(body).toMatchObject({ n: 1, temperature: 0.2, top_p: 0.99, max_tokens: 99, seed: 5 + 3 });
    }
    expect(result.history.map((r) => r.sampling)).toEqual(["n", "n"]);
    expect(warn).not.toHaveBeenCalled();
  });

  it("sends a critic request's topP through the same path", async () => {
    const s = await start();
    const critic = plainChatOpenAI(s);
    await completeOnce(critic, [new HumanMessage(QUERY)], {
      temperature: 0.7,
      topP: 0.6,
      maxTokens: 40,
      seed: 2,
    });
    expect(chatBodies(s)[0]).toMatchObject({ n: 1, temperature: 0.7, top_p: 0.6, max_tokens: 40, seed: 2 });
  });

  it("leaves the user's ChatOpenAI as it was: its fields, and its own requests afterwards", async () => {
    const s = await start();
    const policy = plainChatOpenAI(s);
    const before = samplingFieldsOf(policy);
    expect(before.outer).toEqual({ temperature: 0.9, topP: undefined, maxTokens: 500, n: undefined });
    await createTpoGraph({ policy, rewardModel: new SimRewardModel() }).invoke(
      { query: QUERY },
      { context: CONTEXT },
    );
    expect(samplingFieldsOf(policy)).toEqual(before);

    const tpoRequests = chatBodies(s).length;
    await policy.invoke(QUERY);
    const own = chatBodies(s)[tpoRequests];
    expect(own).toMatchObject({ temperature: 0.9, max_tokens: 500 });
    expect(own.top_p).toBeUndefined();
    expect(own.n).toBeUndefined();
    expect(own.seed).toBeUndefined();
  });

  it("does not stream n > 1 requests when a streaming callback listens", async () => {
    const s = await start();
    const policy = plainChatOpenAI(s);
    const graph = createTpoGraph({ policy, rewardModel: new SimRewardModel() });
    let final: { pool?: { iteration: number }[] } = {};
    const stream = await graph.stream(
      { query: QUERY },
      { context: { width: 3, depth: 1, seed: 3 }, streamMode: ["messages", "values"] },
    );
    for await (const [mode, chunk] of stream) if (mode === "values") final = chunk as typeof final;
    const [generate, critique] = chatBodies(s);
    expect(generate).toMatchObject({ n: 3 });
    expect(generate.stream).toBeFalsy();
    // a single-choice request may stream: the critique does
    expect(critique).toMatchObject({ n: 1, stream: true });
    expect(final.pool?.filter((c) => c.iteration === 0)).toHaveLength(3);
    expect(policy.disableStreaming).toBe(false);
  });
});
