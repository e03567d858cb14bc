import { afterEach, describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { createFunctionRewardModel } from "../src/models/reward/function-reward.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { SimChatModel } from "../src/sim/index.js";
import { startStub, type Stub } from "./helpers/reward-stub.js";

const stubs: Stub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

/** A deterministic score for a text, so that the run has a clear best. */
function textScore(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 1000;
  return h / 100;
}

const N = 5;
const D = 2;
const run = { context: { width: N, depth: D, seed: 7 } };
const query = { query: "How do I take care of a wooden table?" };

describe("the TPO graph with an HTTP reward model", () => {
  it("makes N·(D+1) pooling requests, one per candidate, and records them as reward requests", async () => {
    const server = await startStub((req) => {
      const messages = (req.body as { messages: { content: string }[] }).messages;
      return { json: { data: [{ data: [[0], [textScore(messages[messages.length - 1].content)]] }] } };
    });
    stubs.push(server);
    const graph = createTpoGraph({
      policy: new SimChatModel(),
      rewardModel: createHttpRewardModel({ url: server.url, kind: "vllm-pooling", concurrency: 4 }),
    });
    const result = await graph.invoke(query, run);

    expect(result.pool).toHaveLength(N * (D + 1)); // all candidates distinct
    expect(server.requests).toHaveLength(N * (D + 1));
    expect(result.usage.rewardRequests).toBe(N * (D + 1));
    expect(result.history.map((h) => h.usage.rewardRequests)).toEqual([N, N, N]);
    expect(result.best?.score).toBe(Math.max(...result.pool.map((c) => textScore(c.text))));
  });

  it("makes D+1 TEI batches when batchSize >= N", async () => {
    const server = await startStub((req) => ({
      json: (req.body as { inputs: string[][] }).inputs.map(([text]) => [
        { score: textScore(text), label: "LABEL_0" },
      ]),
    }));
    stubs.push(server);
    const graph = createTpoGraph({
      policy: new SimChatModel(),
      rewardModel: createHttpRewardModel({ url: server.url, kind: "tei", batchSize: 8 }),
    });
    const result = await graph.invoke(query, run);

    expect(result.pool).toHaveLength(N * (D + 1));
    expect(server.requests).toHaveLength(D + 1);
    expect(server.requests.map((r) => (r.body as { inputs: string[][] }).inputs.length)).toEqual([N, N, N]);
    expect(result.usage.rewardRequests).toBe(D + 1);
  });

  it("counts one request per reward call for a model without requestCount", async () => {
    let calls = 0;
    const rewardModel = {
      name: "plain",
      async score(items: { response: string }[]) {
        calls++;
        return items.map((item) => textScore(item.response));
      },
    };
    const result = await createTpoGraph({ policy: new SimChatModel(), rewardModel }).invoke(query, run);
    expect(calls).toBe(D + 1);
    expect(result.usage.rewardRequests).toBe(D + 1);
  });

  it("runs with a function reward model", async () => {
    const rewardModel = createFunctionRewardModel(async ({ response }) => textScore(response));
    const result = await createTpoGraph({ policy: new SimChatModel(), rewardModel }).invoke(query, run);
    expect(result.best?.score).toBe(Math.max(...result.pool.map((c) => textScore(c.text))));
    expect(result.usage.rewardRequests).toBe(D + 1);
  });

  it("fails the run with the reward server's error", async () => {
    const server = await startStub(() => ({ status: 500, raw: "CUDA out of memory" }));
    stubs.push(server);
    const graph = createTpoGraph({
      policy: new SimChatModel(),
      rewardModel: createHttpRewardModel({
        url: server.url,
        kind: "tei",
        retry: { maxRetries: 1, baseDelayMs: 1 },
      }),
    });
    await expect(graph.invoke(query, run)).rejects.toThrow(
      /tei reward server at .* HTTP 500: CUDA out of memory/,
    );
  });
});
