import { modelsFromEnv } from "../src/from-env/models-from-env.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import type { HttpRewardKind } from "../src/models/reward/reward-kinds.js";
import { createSimWorld } from "../src/sim/index.js";
import { startSimServer, type SimServer } from "../src/sim/server.js";

const QUERY = "How do I take care of a wooden table?";
const CONTEXT = { width: 5, depth: 2, seed: 42 };

let server: SimServer | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

/** Where each kind's requests go, and how many a D2-N5 run with all candidates distinct makes. */
const KINDS: { kind: HttpRewardKind; path: string; requests: (candidates: number[]) => number }[] = [
  { kind: "vllm-pooling", path: "/pooling", requests: (c) => c.reduce((a, b) => a + b, 0) },
  { kind: "vllm-classify", path: "/classify", requests: (c) => c.reduce((a, b) => a + b, 0) },
  { kind: "tei", path: "/predict", requests: (c) => c.length },
  { kind: "sglang", path: "/classify", requests: (c) => c.length },
  { kind: "nim", path: "/v1/chat/completions", requests: (c) => c.reduce((a, b) => a + b, 0) },
];

describe("the whole graph over HTTP against the simulated server", () => {
  it.each(KINDS)(
    "runs with the $kind reward client and agrees with the in-process run",
    async ({ kind, path, requests }) => {
      server = await startSimServer();
      const policy = createOpenAIChatModel({ baseUrl: `${server.url}/v1` }, "tpo-sim");
      const rewardModel = createHttpRewardModel({ url: server.url, kind, model: "tpo-sim-reward" });
      const result = await createTpoGraph({ policy, rewardModel }).invoke(
        { query: QUERY },
        { context: CONTEXT },
      );
      const inProcess = await createTpoGraph(createSimWorld()).invoke({ query: QUERY }, { context: CONTEXT });

      expect(result.best).toEqual(inProcess.best);
      const candidates = result.history.map((r) => r.candidates);
      // all distinct here, so: N·(D+1) = 15 per-response requests, or D+1 = 3 batches
      expect(candidates).toEqual([5, 5, 5]);
      const rewardBodies = (server.stats.bodies[path] ?? []).filter(
        (b) => path !== "/v1/chat/completions" || (b as { model?: string }).model === "tpo-sim-reward",
      );
      expect(rewardBodies).toHaveLength(requests(candidates));
      expect(result.usage.rewardRequests).toBe(requests(candidates));
      const policyRequests =
        (server.stats.bodies["/v1/chat/completions"] ?? []).length -
        (kind === "nim" ? rewardBodies.length : 0);
      expect(policyRequests).toBe(1 + 3 * CONTEXT.depth);
    },
  );

  it("runs from the environment alone: createTpoGraph(modelsFromEnv())", async () => {
    server = await startSimServer();
    vi.stubEnv("OPENAI_BASE_URL", `${server.url}/v1`);
    vi.stubEnv("TPO_MODEL", "tpo-sim");
    vi.stubEnv("TPO_REWARD_URL", server.url);
    vi.stubEnv("TPO_REWARD_KIND", "tei");
    vi.stubEnv("TPO_MAX_RETRIES", "1");
    const result = await createTpoGraph(modelsFromEnv()).invoke({ query: QUERY }, { context: CONTEXT });
    const inProcess = await createTpoGraph(createSimWorld()).invoke({ query: QUERY }, { context: CONTEXT });
    expect(result.best).toEqual(inProcess.best);
    expect(server.stats.count("/predict")).toBe(CONTEXT.depth + 1);
    expect(server.stats.count("/v1/chat/completions")).toBe(1 + 3 * CONTEXT.depth);
  });
});
