import type { TpoStateType } from "../src/state/state.js";
import { DEFAULT_PROMPTS, fillTemplate } from "../src/prompts/index.js";
import { bareRequest, measureBreakdown } from "./breakdown.js";
import { createBenchGraph, runPool, runQuery, type BenchRewardKind } from "./client.js";
import type { BenchConfig } from "./config.js";
import { runMemoryProcess, type ServerHandle } from "./server-handle.js";
import { cpuMs, criticalPathRequests, round, roundSpread, spread } from "./stats.js";

const CHAT = "/v1/chat/completions";
const REWARD_PATH: Record<BenchRewardKind, string> = { tei: "/predict", "vllm-pooling": "/pooling" };
const OVERHEAD_TARGETS: Record<number, number> = { 50: 1.06, 200: 1.03 };
const THROUGHPUT_TARGET = 1.1;
const CPU_PER_ITERATION_TARGET_MS = 5;

export interface BenchEnv {
  server: ServerHandle;
  config: BenchConfig;
  prompts: string[];
  log: (line: string) => void;
}

function medianNodeMs(states: TpoStateType[]): Record<string, number> {
  const names = Object.keys(states[0].usage.nodeMs);
  return Object.fromEntries(
    names.map((n) => [n, round(spread(states.map((s) => s.usage.nodeMs[n] ?? 0)).median, 1)]),
  );
}

/**
 * What a bare round trip costs beyond the injected latency against the same server process: one
 * node:http request, no LangChain, no graph. Loopback HTTP, the server's own work and waking both processes
 * are in it; what a TPO query adds beyond it per request is ours.
 */
async function roundTripFloorMs(
  env: BenchEnv,
  latencyMs: number,
  path: string,
  body: unknown,
): Promise<number> {
  const text = JSON.stringify(body);
  const once = async () => {
    const start = performance.now();
    await bareRequest(`${env.server.url}${path}`, text);
    return performance.now() - start - latencyMs;
  };
  for (let i = 0; i < 3; i++) await once();
  const overheads: number[] = [];
  for (let i = 0; i < 15; i++) overheads.push(await once());
  return spread(overheads).median;
}

// 1. Single-query overhead against the critical-path limit.
export async function measureOverhead(env: BenchEnv) {
  const { latenciesMs, depth, width, repetitions, kinds } = env.config.overhead;
  const query = env.prompts[0];
  const rows = [];
  for (const kind of kinds) {
    const graph = createBenchGraph(env.server.url, kind);
    for (const latencyMs of latenciesMs) {
      await env.server.setLatency(latencyMs);
      const criticalPathMs = latencyMs * criticalPathRequests(depth);
      await runQuery(graph, query, { width, depth }); // warm-up, not counted
      const walls: number[] = [];
      const cpus: number[] = [];
      const states: TpoStateType[] = [];
      for (let rep = 0; rep < repetitions; rep++) {
        const cpu0 = cpuMs();
        const { wallMs, state } = await runQuery(graph, query, { width, depth });
        cpus.push(cpuMs() - cpu0);
        walls.push(wallMs);
        states.push(state);
      }
      const ratio = spread(walls.map((w) => w / criticalPathMs));
      const target = OVERHEAD_TARGETS[latencyMs] ?? null;
      const chatFloor = await roundTripFloorMs(env, latencyMs, CHAT, {
        model: "tpo-sim",
        messages: [{ role: "user", content: query }],
        n: width,
        seed: 0,
      });
      const rewardFloor = await roundTripFloorMs(env, latencyMs, REWARD_PATH.tei, {
        inputs: states[0].pool.slice(0, width).map((c) => [teiText(query, c.text)]),
      });
      const floorMs = chatFloor * (1 + 3 * depth) + rewardFloor * (depth + 1);
      const overMs = spread(walls).median - criticalPathMs;
      rows.push({
        kind,
        latencyMs,
        depth,
        width,
        criticalPathMs,
        wallMs: roundSpread(spread(walls), 1),
        ratio: roundSpread(ratio, 4),
        overheadMsPerRequest: round(overMs / criticalPathRequests(depth), 2),
        floorMsPerRequest: { chat: round(chatFloor, 2), tei: round(rewardFloor, 2) },
        // The wall time over the limit, split into the bare round trips' floor and the rest (ours).
        overMs: round(overMs, 1),
        floorMs: round(floorMs, 1),
        oursMs: round(overMs - floorMs, 1),
        clientCpuMs: roundSpread(spread(cpus), 1),
        nodeMs: medianNodeMs(states),
        target,
        met: target === null ? null : ratio.median <= target,
      });
      env.log(
        `  overhead ${kind} L=${latencyMs} ms: ratio ${ratio.median.toFixed(4)} (${spread(walls).median.toFixed(1)} ms)`,
      );
    }
  }
  await env.server.setLatency(0);
  return rows;
}

/** What the tei client sends: the Llama-3 template without <|begin_of_text|>, which TEI adds itself. */
function teiText(query: string, response: string): string {
  const turn = (role: string, content: string) =>
    `<|start_header_id|>${role}<|end_header_id|>\n\n${content}<|eot_id|>`;
  return `${turn("user", query)}${turn("assistant", response)}`;
}

function expectedChat(sampling: "n" | "parallel", depth: number, width: number): number {
  return sampling === "n" || width === 1 ? 1 + 3 * depth : width + depth * (2 + width);
}

// 2. Round trips per query, against the formula.
export async function measureRoundTrips(env: BenchEnv) {
  const { depths, widths, samplings, kinds } = env.config.roundTrips;
  await env.server.setLatency(0);
  const query = env.prompts[0];
  const rows = [];
  for (const kind of kinds) {
    const graph = createBenchGraph(env.server.url, kind);
    for (const sampling of samplings) {
      for (const depth of depths) {
        for (const width of widths) {
          await env.server.reset();
          const { state } = await runQuery(graph, query, { width, depth, sampling, seed: 0 });
          const { requests } = await env.server.stats();
          const chat = requests[CHAT] ?? 0;
          const reward = requests[REWARD_PATH[kind]] ?? 0;
          const distinct = state.pool.length;
          // A reward step sends nothing when an update brought no new text.
          const rewardRounds = state.history.filter((h) => h.candidates > 0).length;
          const rewardFormula = kind === "tei" ? depth + 1 : width * (depth + 1);
          const rewardOnDistinct = kind === "tei" ? rewardRounds : distinct;
          const chatFormula = expectedChat(sampling, depth, width);
          rows.push({
            kind,
            sampling,
            depth,
            width,
            chat,
            chatFormula,
            reward,
            rewardFormula,
            distinctCandidates: distinct,
            allDistinct: distinct === width * (depth + 1),
            rewardOnDistinct,
            usageModelRequests: state.usage.modelRequests,
            usageRewardRequests: state.usage.rewardRequests,
            met: chat === chatFormula && reward === rewardOnDistinct,
          });
        }
      }
    }
  }
  const misses = rows.filter((r) => !r.met).length;
  env.log(`  round trips: ${rows.length - misses}/${rows.length} configurations match the formula`);
  return rows;
}

// 3. Data-set throughput with a worker pool, against the ideal for each concurrency.
export async function measureThroughput(env: BenchEnv) {
  const { latencyMs, depth, width, concurrencies, repetitions } = env.config.throughput;
  const queries = env.config.throughput.prompts
    ? env.prompts.slice(0, env.config.throughput.prompts)
    : env.prompts;
  await env.server.setLatency(latencyMs);
  const graph = createBenchGraph(env.server.url, "tei");
  await runQuery(graph, queries[0], { width, depth }); // warm-up
  for (let pass = 0; pass < (env.config.throughput.warmUpPasses ?? 0); pass++) {
    await runPool(graph, queries, 32, () => ({ width, depth }));
  }
  const perQueryMs = latencyMs * criticalPathRequests(depth);
  const rows = [];
  for (const concurrency of concurrencies) {
    const idealMs = Math.ceil(queries.length / concurrency) * perQueryMs;
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let rep = 0; rep < repetitions; rep++) {
      await env.server.reset();
      const cpu0 = cpuMs();
      const { wallMs } = await runPool(graph, queries, concurrency, () => ({ width, depth }));
      cpus.push(cpuMs() - cpu0);
      walls.push(wallMs);
    }
    const ratio = spread(walls.map((w) => w / idealMs));
    const wall = spread(walls);
    const { requests } = await env.server.stats();
    rows.push({
      concurrency,
      queries: queries.length,
      idealMs,
      wallMs: roundSpread(wall, 1),
      ratio: roundSpread(ratio, 4),
      queriesPerSecond: round((queries.length / wall.median) * 1000, 2),
      // Near 1, the client's one JavaScript thread is busy all the time: it, not the server, sets the pace.
      clientCpuShare: round(spread(cpus).median / wall.median, 3),
      requestsPerQuery: round(((requests[CHAT] ?? 0) + (requests["/predict"] ?? 0)) / queries.length, 2),
      target: THROUGHPUT_TARGET,
      met: ratio.median <= THROUGHPUT_TARGET,
    });
    env.log(
      `  throughput c=${concurrency}: ${wall.median.toFixed(0)} ms vs ideal ${idealMs} ms (ratio ${ratio.median.toFixed(4)})`,
    );
  }
  await env.server.setLatency(0);
  return rows;
}

const MB = 1024 * 1024;

// 4. Orchestration cost with zero latency: client CPU per query and iteration, and memory.
export async function measureOrchestration(env: BenchEnv) {
  const { depths, width, sequentialQueries, concurrency } = env.config.orchestration;
  await env.server.setLatency(0);
  const graph = createBenchGraph(env.server.url, "tei");
  const prompt = (i: number) => env.prompts[i % env.prompts.length];
  const cpuRows = [];
  for (const depth of depths) {
    for (let i = 0; i < 3; i++) await runQuery(graph, prompt(i), { width, depth }); // warm-up
    await env.server.reset();
    const server0 = (await env.server.stats()).cpuMs;
    const cpu0 = cpuMs();
    const start = performance.now();
    for (let i = 0; i < sequentialQueries; i++) await runQuery(graph, prompt(i), { width, depth });
    const wallMs = performance.now() - start;
    const clientCpu = cpuMs() - cpu0;
    const snapshot = await env.server.stats();
    const requests = Object.values(snapshot.requests).reduce((a, b) => a + b, 0);
    const perQuery = clientCpu / sequentialQueries;
    cpuRows.push({
      depth,
      width,
      queries: sequentialQueries,
      clientCpuMsPerQuery: round(perQuery, 2),
      clientCpuMsPerRequest: round(clientCpu / requests, 3),
      serverCpuMsPerQuery: round((snapshot.cpuMs - server0) / sequentialQueries, 2),
      wallMsPerQuery: round(wallMs / sequentialQueries, 2),
      requestsPerQuery: round(requests / sequentialQueries, 2),
    });
    env.log(`  orchestration D=${depth}: ${perQuery.toFixed(2)} ms client CPU per query`);
  }
  const rawBreakdown = await measureBreakdown(
    env.server.url,
    env.prompts[0],
    width,
    env.config.quick ? 10 : 200,
  );
  const breakdown = Object.fromEntries(Object.entries(rawBreakdown).map(([k, v]) => [k, round(v, 3)]));
  env.log(`  breakdown: ${JSON.stringify(breakdown)}`);
  const first = cpuRows[0];
  const last = cpuRows[cpuRows.length - 1];
  const marginal = (last.clientCpuMsPerQuery - first.clientCpuMsPerQuery) / (last.depth - first.depth);
  const memoryRows = [];
  for (const depth of depths) {
    const m = await runMemoryProcess({
      url: env.server.url,
      prompts: env.prompts,
      depth,
      width,
      concurrency,
    });
    const heapPerQuery = (m.peakHeap - m.baseHeap) / concurrency;
    memoryRows.push({
      depth,
      width,
      concurrency,
      baseRssMb: round(m.baseRss / MB, 1),
      peakRssMb: round(m.peakRss / MB, 1),
      maxRssMb: round(m.maxRss / MB, 1),
      baseHeapMb: round(m.baseHeap / MB, 1),
      peakLiveHeapMb: round(m.peakHeap / MB, 1),
      liveHeapKbPerQuery: round(heapPerQuery / 1024, 1),
      textCharsPerQuery: Math.round(m.textChars),
      gcExposed: m.gcExposed,
    });
    env.log(
      `  memory D=${depth} c=${concurrency}: peak RSS ${(m.maxRss / MB).toFixed(0)} MB, ` +
        `${(heapPerQuery / 1024).toFixed(0)} KB live heap per query, ${Math.round(m.textChars)} text chars per query`,
    );
  }
  const lo = memoryRows[0];
  const hi = memoryRows[memoryRows.length - 1];
  const addedIterations = hi.depth - lo.depth;
  return {
    cpu: cpuRows,
    breakdown: breakdown as typeof rawBreakdown,
    marginalCpuMsPerIteration: round(marginal, 2),
    cpuTargetMsPerIteration: CPU_PER_ITERATION_TARGET_MS,
    cpuMet: marginal <= CPU_PER_ITERATION_TARGET_MS,
    memory: memoryRows,
    // What one more iteration adds per query: to the live heap, and to the texts the state holds.
    heapKbPerAddedIteration: round((hi.liveHeapKbPerQuery - lo.liveHeapKbPerQuery) / addedIterations, 2),
    textKbPerAddedIteration: round((hi.textCharsPerQuery - lo.textCharsPerQuery) / 1024 / addedIterations, 2),
  };
}

function linearFit(xs: number[], ys: number[]) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: sxx === 0 || syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

// 5. Growth in depth and width.
export async function measureGrowth(env: BenchEnv) {
  const { latencyMs, depths, widths, baseDepth, baseWidth, repetitions } = env.config.growth;
  await env.server.setLatency(latencyMs);
  const graph = createBenchGraph(env.server.url, "tei");
  const query = env.prompts[0];
  await runQuery(graph, query, { width: baseWidth, depth: baseDepth }); // warm-up
  const point = async (depth: number, width: number) => {
    const walls: number[] = [];
    let requests: Record<string, number> = {};
    for (let rep = 0; rep < repetitions; rep++) {
      await env.server.reset();
      walls.push((await runQuery(graph, query, { width, depth })).wallMs);
      requests = (await env.server.stats()).requests;
    }
    // With an n-capable server every request of a query is sequential: the limit is their count times L.
    const chatRequests = requests[CHAT] ?? 0;
    const rewardRequests = requests["/predict"] ?? 0;
    const criticalPathMs = latencyMs * (chatRequests + rewardRequests);
    const wall = spread(walls);
    return {
      depth,
      width,
      wallMs: roundSpread(wall, 1),
      criticalPathMs,
      ratio: round(wall.median / criticalPathMs, 4),
      chatRequests,
      rewardRequests,
    };
  };
  const byDepth = [];
  for (const depth of depths) byDepth.push(await point(depth, baseWidth));
  const byWidth = [];
  for (const width of widths) byWidth.push(await point(baseDepth, width));
  await env.server.setLatency(0);
  const fit = linearFit(
    byDepth.map((r) => r.depth),
    byDepth.map((r) => r.wallMs.median),
  );
  const walls = byWidth.map((r) => r.wallMs.median);
  env.log(
    `  growth: ${fit.slope.toFixed(1)} ms per iteration (r² ${fit.r2.toFixed(4)}), width spread ${(Math.max(...walls) / Math.min(...walls)).toFixed(3)}`,
  );
  return {
    latencyMs,
    byDepth,
    byWidth,
    depthFit: {
      msPerIteration: round(fit.slope, 1),
      interceptMs: round(fit.intercept, 1),
      r2: round(fit.r2, 5),
    },
    idealMsPerIteration: 4 * latencyMs,
    widthMaxOverMin: round(Math.max(...walls) / Math.min(...walls), 4),
  };
}

type ChatBody = { messages: { role: string; content: string }[]; n?: number };

function templateChars(template: { system: string; user: string }): number {
  const empty = (t: string) =>
    fillTemplate(t, { query: "", chosen: "", rejected: "", critique: "", gradient: "" });
  return empty(template.system).length + empty(template.user).length;
}

// 6. Characters sent per iteration by critique, gradient and update, from the recorded bodies.
export async function measurePromptSize(env: BenchEnv) {
  const { depth, width } = env.config.promptSize;
  await env.server.setLatency(0);
  await env.server.reset();
  const graph = createBenchGraph(env.server.url, "tei");
  const query = env.prompts[0];
  // A fixed query and seed give the same chosen and rejected texts on every run of the bench.
  const { state } = await runQuery(graph, query, { width, depth, sampling: "n", seed: 0 });
  const { bodies } = await env.server.stats({ bodies: true });
  const chats = (bodies?.[CHAT] ?? []) as ChatBody[];
  const chars = (body: ChatBody) => body.messages.reduce((sum, m) => sum + m.content.length, 0);
  const textOf = (id: string | undefined) => state.pool.find((c) => c.id === id)?.text ?? "";
  const iterations = [];
  // One query at a time with sampling "n": generate, then critique, gradient, update per iteration.
  for (let k = 1; k <= depth; k++) {
    const [critique, gradient, update] = chats.slice(1 + 3 * (k - 1), 4 + 3 * (k - 1));
    const record = state.history[k];
    iterations.push({
      iteration: k,
      critiqueChars: chars(critique),
      gradientChars: chars(gradient),
      updateChars: chars(update),
      totalChars: chars(critique) + chars(gradient) + chars(update),
      bodyBytes: [critique, gradient, update].reduce((sum, b) => sum + JSON.stringify(b).length, 0),
      chosenChars: textOf(record.chosen?.id).length,
      rejectedChars: textOf(record.rejected?.id).length,
      critiqueTextChars: record.critique?.length ?? 0,
      gradientTextChars: record.gradient?.length ?? 0,
    });
  }
  return {
    depth,
    width,
    queryChars: query.length,
    generateChars: chats[0] ? chars(chats[0]) : 0,
    templateChars: {
      critique: templateChars(DEFAULT_PROMPTS.critique),
      gradient: templateChars(DEFAULT_PROMPTS.gradient),
      update: templateChars(DEFAULT_PROMPTS.update),
    },
    iterations,
  };
}
