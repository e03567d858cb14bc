import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { openTpoCache } from "../src/cache/open-cache.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { requestKey } from "../src/models/chat/response-cache.js";
import { runPool } from "./client.js";
import type { BenchEnv } from "./measures.js";

export interface CacheMeasure {
  queries: number;
  depth: number;
  width: number;
  concurrency: number;
  /** The first pass: every request sent (and stored). */
  fill: { requests: number; wallMs: number };
  /** The same seeded queries again with the cache. */
  rerun: { requests: number; wallMs: number; cpuMs: number; fromCacheRequests: number };
  /** What a miss adds to a request: one lookup that finds nothing, then one write, in ms. */
  missMs: number;
  missSamples: number;
  rerunTargetMs: number;
  missTargetMs: number;
  met: boolean;
}

/**
 * 14. The persistent cache (issue 31): 100 seeded queries at D2-N5 against the simulated server,
 * with a SQLite cache, then the same again: requests and client time of the re-run; and the cost
 * of a miss (a lookup that finds nothing plus the write of the answer) over many distinct requests.
 */
export async function measureCache(env: BenchEnv): Promise<CacheMeasure> {
  const { queries: count, depth, width, concurrency, missSamples } = env.config.cache;
  await env.server.setLatency(0);
  const dir = mkdtempSync(join(tmpdir(), "tpo-bench-cache-"));
  const cache = await openTpoCache(join(dir, "cache.sqlite"));
  try {
    const policy = createOpenAIChatModel({ baseUrl: `${env.server.url}/v1` }, "tpo-sim");
    const rewardModel = createHttpRewardModel({
      url: env.server.url,
      kind: "vllm-pooling",
      batchSize: 64,
      concurrency: 64,
    });
    const graph = createTpoGraph({
      policy,
      rewardModel,
      modelCache: cache.forModels({ policy: "bench", critic: "bench", reward: "bench-reward" }),
    });
    const queries = Array.from({ length: count }, (_, i) => `${env.prompts[i % env.prompts.length]} (${i})`);
    const context = (i: number) => ({ depth, width, seed: 1000 + i });
    const requests = async () => {
      const { requests: byPath } = await env.server.stats();
      return (byPath["/v1/chat/completions"] ?? 0) + (byPath["/pooling"] ?? 0);
    };

    await env.server.reset();
    const fill = await runPool(graph, queries, concurrency, context);
    const fillRequests = await requests();
    await env.server.reset();
    const cpu = process.cpuUsage();
    const rerun = await runPool(graph, queries, concurrency, context);
    const used = process.cpuUsage(cpu);
    const rerunRequests = await requests();
    const fromCacheRequests = rerun.states.reduce(
      (sum, s) => sum + (s.usage.fromCache?.modelRequests ?? 0) + (s.usage.fromCache?.rewardRequests ?? 0),
      0,
    );

    // A miss: the lookup of a request never seen, then the write of its answer.
    const messages = [new HumanMessage("A question that no run has asked.")];
    const response = {
      texts: ["an answer ".repeat(60)],
      usage: { promptTokens: 40, cachedPromptTokens: 0, completionTokens: 120 },
    };
    const started = performance.now();
    for (let i = 0; i < missSamples; i++) {
      const key = requestKey({ store: cache.responses, model: "bench-miss" }, messages, {
        seed: i,
        n: 1,
        temperature: 0.7,
      })!;
      if (await cache.responses.lookup(key.prompt, key.llmKey)) throw new Error("a miss was found");
      await cache.responses.update(key.prompt, key.llmKey, response);
    }
    const missMs = (performance.now() - started) / missSamples;
    const rerunTargetMs = 2000;
    const missTargetMs = 1;
    return {
      queries: count,
      depth,
      width,
      concurrency,
      fill: { requests: fillRequests, wallMs: Math.round(fill.wallMs) },
      rerun: {
        requests: rerunRequests,
        wallMs: Math.round(rerun.wallMs),
        cpuMs: Math.round((used.user + used.system) / 1000),
        fromCacheRequests,
      },
      missMs: Math.round(missMs * 1000) / 1000,
      missSamples,
      rerunTargetMs,
      missTargetMs,
      // Client time as CPU time: on a shared machine the wall time measures the other processes too.
      met: rerunRequests === 0 && (used.user + used.system) / 1000 < rerunTargetMs && missMs < missTargetMs,
    };
  } finally {
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function cacheHeadline(m: CacheMeasure) {
  return {
    measure: `Persistent cache: a re-run of ${m.queries} seeded queries at D${m.depth}-N${m.width} (requests sent; client CPU time) · a miss's lookup and write`,
    figure: `${m.rerun.requests} requests; ${m.rerun.cpuMs} ms · ${m.missMs.toFixed(3)} ms`,
    target: `0; < ${m.rerunTargetMs} ms · < ${m.missTargetMs} ms`,
    verdict: m.met ? "met" : "**missed**",
  };
}

export function renderCache(m: CacheMeasure): string {
  return [
    `${m.queries} seeded queries (seed 1000 + i) at D${m.depth}-N${m.width}, ${m.concurrency} at once, against the simulated server with no latency, with a SQLite cache in a temporary folder: a first pass fills it, the same pass again reads it. A miss: ${m.missSamples} lookups of requests never seen, each followed by the write of its answer (what the cache adds to a request it cannot answer). Simulated: the figures show the cache's mechanics and its cost on this machine, not a real model's.`,
    "",
    "| pass | requests sent | answered by the cache | client wall time | client CPU |",
    "| --- | --- | --- | --- | --- |",
    `| fill | ${m.fill.requests} | – | ${m.fill.wallMs} ms | – |`,
    `| re-run | ${m.rerun.requests} | ${m.rerun.fromCacheRequests} | ${m.rerun.wallMs} ms | ${m.rerun.cpuMs} ms |`,
    "",
    `Targets: the re-run sends no request and takes < ${m.rerunTargetMs} ms of client CPU time (its wall time also counts the other processes of a shared machine); a miss's lookup and write take ${m.missMs.toFixed(3)} ms per request (< ${m.missTargetMs} ms). ${m.met ? "Met" : "**Missed**"}.`,
  ].join("\n");
}
