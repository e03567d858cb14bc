import { afterEach, describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { TpoSettingsError } from "../src/errors.js";
import { parseTpoContext, type TpoContextInput } from "../src/settings/run-settings.js";
import type { TpoEvent } from "../src/state/events.js";
import type { TpoStateType } from "../src/state/state.js";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { createSimWorld } from "../src/sim/index.js";
import { runCliInProcess } from "./helpers/cli.js";

/**
 * The stopping rules, read from the simulated server's request log: each rule stops exactly where
 * it should, and a run without rules makes the requests it always made (1 + 3·D chat requests,
 * N·(D+1) scores, with `n` sampling).
 */

const QUERY = "How do I take care of a wooden table?";
const BASE: TpoContextInput = { width: 4, depth: 5, seed: 11, sampling: "n" };

let server: SimServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(context: TpoContextInput) {
  server = await startSimServer();
  const policy = createOpenAIChatModel({ baseUrl: `${server.url}/v1` }, "tpo-sim");
  const rewardModel = createHttpRewardModel({
    url: server.url,
    kind: "vllm-pooling",
    model: "tpo-sim-reward",
  });
  const graph = createTpoGraph({ policy, rewardModel });
  const events: TpoEvent[] = [];
  let state: TpoStateType | undefined;
  for await (const [mode, chunk] of await graph.stream(
    { query: QUERY },
    { context, streamMode: ["custom", "values"] },
  )) {
    if (mode === "custom") events.push(chunk as TpoEvent);
    else state = chunk as TpoStateType;
  }
  const chats = server.stats.bodies["/v1/chat/completions"] ?? [];
  const scores = (server.stats.bodies["/pooling"] ?? []) as { input?: unknown[] }[];
  await server.close();
  server = undefined;
  return { state: state!, events, chats, scored: scores.reduce((sum, b) => sum + (b.input?.length ?? 1), 0) };
}

/** Chat requests of a run that stopped after `iterations` iterations, with `n` sampling. */
const requestsAfter = (iterations: number) => 1 + 3 * iterations;

describe("stopping rules", () => {
  it("without rules, a run goes to its depth and makes the same requests as with rules that never fire", async () => {
    const plain = await run(BASE);
    expect(plain.state).toMatchObject({ stopReason: "depth", stoppedAt: 5 });
    expect(plain.chats).toHaveLength(requestsAfter(5));
    expect(plain.state.usage.modelRequests).toBe(requestsAfter(5));
    const idle = await run({
      ...BASE,
      targetScore: 1e9,
      patience: 99,
      budgetTokens: 1e9,
      budgetRequests: 1e6,
    });
    expect(idle.chats).toEqual(plain.chats);
    expect(idle.state.best).toEqual(plain.state.best);
    expect(idle.state.stopReason).toBe("depth");
  });

  it("target: no iteration starts once the best score reaches it", async () => {
    const { state: reference } = await run(BASE);
    const best = reference.history.map((r) => r.bestSoFar!);
    const atStart = await run({ ...BASE, targetScore: best[0] });
    expect(atStart.state).toMatchObject({ stopReason: "target", stoppedAt: 0 });
    expect(atStart.chats).toHaveLength(requestsAfter(0));
    const k = best.findIndex((b) => b > best[0]);
    expect(k).toBeGreaterThan(0);
    const later = await run({ ...BASE, targetScore: best[k] });
    expect(later.state).toMatchObject({ stopReason: "target", stoppedAt: k });
    expect(later.chats).toHaveLength(requestsAfter(k));
    expect(later.state.best!.score).toBeGreaterThanOrEqual(best[k]);
    expect(later.events.filter((e) => e.type === "tpo.run.stopped")).toEqual([
      { type: "tpo.run.stopped", reason: "target", iteration: k, bestSoFar: best[k] },
    ]);
  });

  it("patience: stops after K iterations in a row that did not raise the best score", async () => {
    const { state: reference } = await run({ ...BASE, depth: 8 });
    const best = reference.history.map((r) => r.bestSoFar!);
    const stall = best.findIndex((b, k) => k >= 1 && b <= best[k - 1]);
    expect(stall).toBeGreaterThan(0);
    const { state, chats } = await run({ ...BASE, depth: 8, patience: 1 });
    expect(state).toMatchObject({ stopReason: "patience", stoppedAt: stall });
    expect(chats).toHaveLength(requestsAfter(stall));
    expect(state.history.map((r) => r.bestSoFar)).toEqual(best.slice(0, stall + 1));
  });

  it("request budget: no iteration starts that would pass it, estimating from the last one", async () => {
    // After generate: 1 spent, the next iteration is estimated at 1 + 2 → 4 ≤ 8, go on;
    // after iteration 1: 4 spent, estimated 3 more → 7 ≤ 8, go on; after iteration 2: 7 + 3 > 8, stop.
    const { state, chats } = await run({ ...BASE, budgetRequests: 8 });
    expect(state).toMatchObject({ stopReason: "budget", stoppedAt: 2 });
    expect(chats).toHaveLength(7);
  });

  it("a budget smaller than one iteration stops after generate with stopReason budget, never an error", async () => {
    for (const budget of [{ budgetTokens: 10 }, { budgetRequests: 2 }, { budgetTokens: 0 }]) {
      const { state, chats, scored } = await run({ ...BASE, ...budget });
      expect(state).toMatchObject({ stopReason: "budget", stoppedAt: 0 });
      expect(state.best).not.toBeNull();
      expect(chats).toHaveLength(1);
      expect(scored).toBe(4);
    }
  });

  it("token budget: the spend never passes it by more than the estimate's error", async () => {
    const { state: reference } = await run(BASE);
    const spent = (k: number) =>
      reference.history
        .slice(0, k + 1)
        .reduce((s, r) => s + r.usage.promptTokens + r.usage.completionTokens, 0);
    const budget = spent(3);
    const { state, chats } = await run({ ...BASE, budgetTokens: budget });
    expect(state.stopReason).toBe("budget");
    expect(state.stoppedAt).toBeLessThanOrEqual(3);
    expect(chats).toHaveLength(requestsAfter(state.stoppedAt!));
  });
});

describe("bad stopping settings", () => {
  it.each([
    [{ patience: -1 }, "patience"],
    [{ patience: 0 }, "patience"],
    [{ patience: 1.5 }, "patience"],
    [{ budgetTokens: -5 }, "budgetTokens"],
    [{ budgetRequests: "many" }, "budgetRequests"],
    [{ targetScore: "high" }, "targetScore"],
    [{ targetScore: Number.POSITIVE_INFINITY }, "targetScore"],
  ])("%j is a settings error naming the field", (context, field) => {
    expect(() => parseTpoContext(context)).toThrow(TpoSettingsError);
    expect(() => parseTpoContext(context)).toThrow(`"${field}"`);
  });

  it("exit 2 in the CLI, naming the flag", async () => {
    const result = await runCliInProcess(["run", "--patience", "-1", "a query"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--patience");
  });
});

describe("cached prompt tokens", () => {
  it("are counted from the server's usage, per iteration and per query, the same over HTTP and in process", async () => {
    const context: TpoContextInput = { width: 3, depth: 2, seed: 4, sampling: "parallel" };
    server = await startSimServer({ answerChars: 1500 });
    const policy = createOpenAIChatModel({ baseUrl: `${server.url}/v1` }, "tpo-sim");
    const rewardModel = createHttpRewardModel({
      url: server.url,
      kind: "vllm-pooling",
      model: "tpo-sim-reward",
    });
    const http = await createTpoGraph({ policy, rewardModel }).invoke({ query: QUERY }, { context });
    const local = await createTpoGraph(createSimWorld(0, { answerChars: 1500 })).invoke(
      { query: QUERY },
      { context },
    );
    // Parallel sampling sends the same prompt N times: all but the first are read from the cache.
    expect(http.history[0].usage.cachedPromptTokens).toBe((2 / 3) * http.history[0].usage.promptTokens);
    expect(http.usage.cachedPromptTokens).toBe(
      http.history.reduce((sum, r) => sum + r.usage.cachedPromptTokens, 0),
    );
    expect(http.usage.cachedPromptTokens).toBeLessThan(http.usage.promptTokens);
    expect(local.usage).toMatchObject({
      promptTokens: http.usage.promptTokens,
      cachedPromptTokens: http.usage.cachedPromptTokens,
      completionTokens: http.usage.completionTokens,
    });
    expect(http.best!.text.length).toBeGreaterThan(1400);
  });
});
