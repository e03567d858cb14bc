/**
 * `--only pools` (issue 21): throughput with 1, 2 and 4 simulated servers that have a capacity,
 * so that the servers, not the client, are the bottleneck; and how much of the critic's prompts
 * the answering server already had in its prefix cache, with affinity and with round robin.
 * Simulated servers: the mechanics of a pool, not a claim about real model servers.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTpoGraph } from "../src/graph/builder.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import type { TpoStateType } from "../src/state/state.js";
import { runPool } from "./client.js";
import type { BenchEnv } from "./measures.js";
import type { PoolServersOptions, PoolServerStats } from "./pool-servers-process.js";
import { round } from "./stats.js";

const SCRIPT = fileURLToPath(new URL("./pool-servers-process.ts", import.meta.url));

interface PoolServers {
  urls: string[];
  stats(): Promise<PoolServerStats[]>;
  close(): Promise<void>;
}

async function startPoolServers(options: PoolServersOptions): Promise<PoolServers> {
  const child = fork(SCRIPT, [JSON.stringify(options)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const urls = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the pool's server process did not start")), 30_000);
    child.once("exit", (code) => reject(new Error(`the pool's server process exited with code ${code}`)));
    child.on("message", (message: { ready?: boolean; urls?: string[] }) => {
      if (message.ready && message.urls) {
        clearTimeout(timer);
        resolve(message.urls);
      }
    });
  });
  let nextId = 1;
  return {
    urls,
    stats: () =>
      new Promise((resolve) => {
        const id = nextId++;
        const listen = (message: { id?: number; data?: PoolServerStats[] }) => {
          if (message.id !== id) return;
          child.off("message", listen);
          resolve(message.data!);
        };
        child.on("message", listen);
        child.send({ id, op: "stats" });
      }),
    close: async () => {
      const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.disconnect();
      await done;
      process.off("exit", killOnExit);
    },
  };
}

const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

/** Of the critique, gradient and update prompts' tokens, the share the answering server had cached. */
function criticCachedShare(states: TpoStateType[]): number {
  const critic = states.flatMap((s) => s.history.slice(1));
  const prompt = sum(critic.map((r) => r.usage.promptTokens));
  return prompt === 0 ? 0 : sum(critic.map((r) => r.usage.cachedPromptTokens)) / prompt;
}

export async function measurePools(env: BenchEnv) {
  const c = env.config.pools;
  // Distinct queries: the data set, then again with a suffix, as many as asked for.
  const queries = Array.from({ length: c.queries }, (_, i) => {
    const prompt = env.prompts[i % env.prompts.length];
    const round_ = Math.floor(i / env.prompts.length);
    return round_ === 0 ? prompt : `${prompt} (${round_ + 1})`;
  });
  const rows = [];
  for (const { servers: count, affinity } of c.runs) {
    const pool = await startPoolServers({
      count,
      server: { maxInFlight: c.maxInFlight, latency: c.latency, seed: 0 },
    });
    try {
      const policy = createOpenAIChatModel(
        { baseUrl: pool.urls.map((u) => `${u}/v1`).join(",") },
        "tpo-sim",
        {
          pool: { role: "policy", affinity },
        },
      );
      const rewardModel = createHttpRewardModel({
        url: pool.urls.join(","),
        kind: "tei",
        batchSize: 64,
        concurrency: 64,
        affinity,
      });
      const graph = createTpoGraph({ policy, rewardModel });
      const before = await pool.stats();
      const cpu = process.cpuUsage();
      const { wallMs, states } = await runPool(graph, queries, c.concurrency, (i) => ({
        depth: c.depth,
        width: c.width,
        sampling: "n",
        criticLayout: c.criticLayout,
        seed: i,
      }));
      const used = process.cpuUsage(cpu);
      const stats = await pool.stats();
      const row = {
        servers: count,
        affinity: affinity ? "on" : "round robin",
        queries: states.length,
        wallS: round(wallMs / 1000, 2),
        queriesPerS: round(states.length / (wallMs / 1000), 2),
        requestsPerServer: stats.map((s) => s.requests),
        peakInFlight: Math.max(...stats.map((s) => s.peakInFlight)),
        meanQueueMs: round(
          stats.reduce((sum, s) => sum + s.meanQueueMs * s.requests, 0) / sum(stats.map((s) => s.requests)),
          0,
        ),
        serverCpuS: round((stats[0]?.cpuS ?? 0) - (before[0]?.cpuS ?? 0), 1),
        // Of the servers' places (maxInFlight each) over the run, the share that served a request.
        serversBusy: round(sum(stats.map((s) => s.servingMs)) / (count * c.maxInFlight * wallMs), 3),
        clientCpuS: round((used.user + used.system) / 1e6, 1),
        criticCachedShare: round(criticCachedShare(states), 3),
      };
      env.log(
        `   ${count} server(s), ${row.affinity}: ${row.wallS} s, critic cached ${row.criticCachedShare}`,
      );
      rows.push(row);
    } finally {
      await pool.close();
    }
  }
  const base = rows.find((r) => r.servers === 1 && r.affinity === "on");
  const oneServerShare = base?.criticCachedShare ?? null;
  const scaled = rows.map((r) => ({
    ...r,
    speedup: base ? round(r.queriesPerS / base.queriesPerS, 2) : null,
    shareOfOneServer: oneServerShare ? round(r.criticCachedShare / oneServerShare, 3) : null,
  }));
  return { ...c, rows: scaled };
}
