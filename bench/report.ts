import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "./config.js";
import type {
  measureGrowth,
  measureOrchestration,
  measureOverhead,
  measurePromptSize,
  measureRoundTrips,
  measureThroughput,
} from "./measures.js";
import type { Spread } from "./stats.js";
import type { measurePrefixCache, measureStopping } from "./compute.js";
import type { measurePools } from "./pools.js";
import type { measureScaleout } from "./scaleout.js";
import { middlewareHeadline, renderMiddleware, type MiddlewareMeasure } from "./middleware.js";
import { renderEvalScoring, type EvalScoringMeasure } from "./eval-scoring.js";
import { cacheHeadline, renderCache, type CacheMeasure } from "./cache.js";
import { cliHeadline, renderCli, type CliMeasures } from "./cli-report.js";
import { renderReportPage, reportPageHeadline, type ReportPageMeasure } from "./report-page.js";

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

export interface BenchResults {
  machine: {
    cpu: string;
    cores: number;
    node: string;
    platform: string;
    date: string;
    /** 1, 5 and 15 minute load averages when the run started and ended (the machine may be shared). */
    load?: number[];
    loadAfter?: number[];
  };
  /** Set by a partial run (--only): the measures it re-ran; the others are from previousDate. */
  partial?: {
    rerun: string[];
    previousDate: string;
    previousMachine?: string;
    /** Measures that earlier partial runs re-ran since previousDate, each with its date. */
    earlier?: { measures: string[]; date: string }[];
  };
  quick: boolean;
  config: BenchConfig;
  measures: {
    overhead?: Result<typeof measureOverhead>;
    roundTrips?: Result<typeof measureRoundTrips>;
    throughput?: Result<typeof measureThroughput>;
    orchestration?: Result<typeof measureOrchestration>;
    growth?: Result<typeof measureGrowth>;
    promptSize?: Result<typeof measurePromptSize>;
    prefixCache?: Result<typeof measurePrefixCache>;
    stopping?: Result<typeof measureStopping>;
    pools?: Result<typeof measurePools>;
    scaleout?: Result<typeof measureScaleout>;
    reportPage?: ReportPageMeasure;
    middleware?: MiddlewareMeasure;
    evalScoring?: EvalScoringMeasure;
    cache?: CacheMeasure;
  } & CliMeasures;
  durationS: number;
}

/** Hand-written findings (what was profiled, what changed), kept beside the generated tables. */
const FINDINGS = join(dirname(fileURLToPath(import.meta.url)), "findings.md");

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function range(s: Spread, digits: number): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

const verdict = (met: boolean | null) => (met === null ? "–" : met ? "met" : "**missed**");

export function headline(
  results: BenchResults,
): { measure: string; figure: string; target: string; verdict: string }[] {
  const m = results.measures;
  const rows = [];
  for (const r of (m.overhead ?? []).filter((r) => r.kind === "tei")) {
    rows.push({
      measure: `Single query D${r.depth}-N${r.width}, L = ${r.latencyMs} ms (wall ÷ critical path)`,
      figure: r.ratio.median.toFixed(3),
      target: r.target === null ? "–" : `≤ ${r.target}`,
      verdict: verdict(r.met),
    });
  }
  if (m.roundTrips) {
    const ok = m.roundTrips.filter((r) => r.met).length;
    rows.push({
      measure: "Round trips equal to the formula",
      figure: `${ok} / ${m.roundTrips.length} configurations`,
      target: "all",
      verdict: verdict(ok === m.roundTrips.length),
    });
  }
  for (const r of m.throughput ?? []) {
    rows.push({
      measure: `${r.queries} prompts, concurrency ${r.concurrency} (wall ÷ ideal)`,
      figure: r.ratio.median.toFixed(3),
      target: `≤ ${r.target}`,
      verdict: verdict(r.met),
    });
  }
  if (m.orchestration) {
    const o = m.orchestration;
    rows.push({
      measure: "Client CPU per iteration (zero latency; added by one more iteration)",
      figure: `${o.marginalCpuMsPerIteration.toFixed(2)} ms`,
      target: `≤ ${o.cpuTargetMsPerIteration} ms`,
      verdict: verdict(o.cpuMet),
    });
    const last = o.memory[o.memory.length - 1];
    rows.push({
      measure: `Peak client RSS at concurrency ${last.concurrency} (D${last.depth})`,
      figure: `${last.maxRssMb} MB`,
      target: "–",
      verdict: "–",
    });
  }
  if (m.reportPage) rows.push(reportPageHeadline(m.reportPage));
  if (m.middleware) rows.push(middlewareHeadline(m.middleware));
  if (m.cache) rows.push(cacheHeadline(m.cache));
  return [...rows, ...poolsHeadline(m.pools), ...scaleoutHeadline(m.scaleout), ...cliHeadline(results)];
}

type Scaleout = NonNullable<BenchResults["measures"]["scaleout"]>;

function scaleoutHeadline(
  s: Scaleout | undefined,
): { measure: string; figure: string; target: string; verdict: string }[] {
  if (!s || !("rows" in s)) return [];
  const rows = [];
  const one = s.rows.find((r) => r.workers === 1);
  if (one) {
    rows.push({
      measure: `Job queue, ${s.queries} queries D${s.depth}-N${s.width}: 1 worker's wall time ÷ plain \`tpo batch\` (both concurrency ${s.concurrency})`,
      figure: `${one.wallVsPlain}`,
      target: "–",
      verdict: "–",
    });
    if (one.sqlPerJob) {
      rows.push({
        measure:
          "Job queue: PostgreSQL's time per job, the queue's statements + LangGraph's checkpoints (1 worker)",
        figure: `${one.sqlPerJob.queue.ms} + ${one.sqlPerJob.checkpoints.ms} ms`,
        target: "–",
        verdict: "–",
      });
    }
  }
  for (const r of s.rows.filter((r) => r.workers > 1)) {
    rows.push({
      measure: `Job queue: ${r.workers} worker processes on this machine (throughput ÷ 1 worker)`,
      figure: `${r.throughputVsOneWorker}`,
      target: "–",
      verdict: "–",
    });
  }
  return rows;
}

function renderScaleout(s: Scaleout): string {
  if (!("rows" in s)) return `Not measured: ${s.unavailable}.`;
  const sql = (r: Extract<Scaleout, { rows: unknown }>["rows"][number], part: "queue" | "checkpoints") =>
    r.sqlPerJob ? `${r.sqlPerJob[part].ms} (${r.sqlPerJob[part].statements})` : "–";
  return [
    `${s.queries} distinct queries (the sample prompts, then again under new texts), D${s.depth}-N${s.width}, seed 1, against the simulated server ` +
      `(its own process) with ${s.latencyMs} ms per request and no capacity limit: its requests cost latency, not CPU, so one query takes at least ` +
      `${s.queryMs} ms. Every \`tpo\` is the built CLI (the sources through tsx in quick mode) in a process of its own; PostgreSQL is a throwaway server on 127.0.0.1 (fsync off), ` +
      "each run against a fresh database. The plain batches run with `--concurrency " +
      `${s.concurrency}\`; the queue's runs start N \`tpo worker --concurrency ${s.concurrency}\` processes, wait until they are registered ` +
      "(their start-up and the tables' first-use setup are not timed), then time `tpo batch --queue` from its start (enqueuing included) to its exit " +
      '(every record written). "ideal": ⌈queries ÷ in flight⌉ × one query\'s latency. "CPU per query": all the `tpo` processes of the run ' +
      "(the batch and its workers), not PostgreSQL's. PostgreSQL's time: every statement's duration in the server's log " +
      "(`log_min_duration_statement = 0`, parse and bind steps included), per job, split by connection: the queue's (pg-boss and the queue's tables, " +
      "of the workers and the waiting batch, its polling included) and LangGraph's checkpointer's; in brackets the statements per job. " +
      "The load average after each run says how busy the machine's two cores were: a load above 2 inflates the wall times.",
    "",
    table(
      [
        "run",
        "in flight",
        "wall (s)",
        "ideal (s)",
        "queries/s",
        "× 1 worker",
        "÷ plain batch (wall)",
        "jobs per worker",
        "CPU per query (ms)",
        "PostgreSQL per job, queue (ms)",
        "PostgreSQL per job, checkpoints (ms)",
        "load after",
      ],
      s.rows.map((r) => [
        r.run,
        r.inFlight,
        r.wallS,
        r.idealS,
        r.queriesPerS,
        r.throughputVsOneWorker ?? "–",
        r.wallVsPlain ?? "–",
        r.jobsPerWorker.length > 0 ? r.jobsPerWorker.join(", ") : "–",
        r.cpuPerQueryMs,
        sql(r, "queue"),
        sql(r, "checkpoints"),
        r.loadAfter[0],
      ]),
    ),
  ].join("\n");
}

type Pools = NonNullable<BenchResults["measures"]["pools"]>;

function poolsHeadline(
  p: Pools | undefined,
): { measure: string; figure: string; target: string; verdict: string }[] {
  if (!p) return [];
  const rows = [];
  for (const r of p.rows.filter((r) => r.affinity === "on" && r.servers > 1)) {
    const target = p.speedupTargets[r.servers];
    rows.push({
      measure: `Pool of ${r.servers} simulated servers, ${r.queries} queries at concurrency ${p.concurrency} (throughput ÷ 1 server)`,
      figure: `${r.speedup}`,
      target: target === undefined ? "–" : `≥ ${target}`,
      verdict: verdict(target === undefined || r.speedup === null ? null : r.speedup >= target),
    });
    rows.push({
      measure: `Critic prompt tokens in the answering server's prefix cache, ${r.servers} servers with affinity (÷ 1 server)`,
      figure: `${r.shareOfOneServer}`,
      target: `≥ ${p.shareTarget}`,
      verdict: verdict(r.shareOfOneServer === null ? null : r.shareOfOneServer >= p.shareTarget),
    });
  }
  return rows;
}

function renderPools(p: Pools): string {
  return [
    `**Simulated servers** (one process of their own), each serving at most ${p.maxInFlight} requests at once (the others wait in its queue), ` +
      `each request taking ${p.latency.fixedMs} ms plus ${p.latency.perTokenMs} ms per generated token, each with its own prefix cache. ` +
      `${p.queries} distinct queries, D${p.depth}-N${p.width}, \`sampling: n\`, critic layout \`${p.criticLayout}\`, ${p.concurrency} in flight; ` +
      "the policy and a TEI reward model on every server of the pool. With affinity each query's requests go to the server its key hashes to; " +
      'round robin (`--affinity off`) sends each request to the next server. "critic cached": of the critique, gradient and update prompt tokens, ' +
      'the share the answering server reported as cached. "servers busy": of the servers\' places over the run, the share that was serving ' +
      "a request (near 100 %: the servers, not the client, bound the throughput). Simulated servers: the figures show the mechanics of a pool, not real model servers.",
    "",
    table(
      [
        "servers",
        "routing",
        "queries",
        "wall (s)",
        "queries/s",
        "× 1 server",
        "requests per server",
        "peak in flight",
        "mean wait in queue (ms)",
        "servers busy",
        "client CPU (s)",
        "servers' CPU (s)",
        "critic cached",
        "÷ 1 server",
      ],
      p.rows.map((r) => [
        r.servers,
        r.affinity,
        r.queries,
        r.wallS,
        r.queriesPerS,
        r.speedup ?? "–",
        r.requestsPerServer.join(", "),
        r.peakInFlight,
        r.meanQueueMs,
        pct(r.serversBusy),
        r.clientCpuS,
        r.serverCpuS,
        pct(r.criticCachedShare),
        r.shareOfOneServer ?? "–",
      ]),
    ),
    "",
    `Goals: throughput ≥ ${Object.entries(p.speedupTargets)
      .map(([n, t]) => `${t} × at ${n} servers`)
      .join(", ")}; with affinity, a critic cached share ≥ ${p.shareTarget} × the one-server share.`,
  ].join("\n");
}

function renderOverhead(rows: NonNullable<BenchResults["measures"]["overhead"]>): string {
  return table(
    [
      "reward",
      "L (ms)",
      "critical path (ms)",
      "wall ms: median (min–max)",
      "wall ÷ limit",
      "ms over the limit",
      "of which bare round trips",
      "of which ours",
      "client CPU ms",
      "target",
      "",
    ],
    rows.map((r) => [
      r.kind,
      r.latencyMs,
      r.criticalPathMs,
      range(r.wallMs, 1),
      range(r.ratio, 4),
      r.overMs.toFixed(1),
      r.floorMs.toFixed(1),
      r.oursMs.toFixed(1),
      r.clientCpuMs.median.toFixed(1),
      r.target === null ? "–" : `≤ ${r.target}`,
      verdict(r.met),
    ]),
  );
}

function renderRoundTrips(rows: NonNullable<BenchResults["measures"]["roundTrips"]>): string {
  return table(
    [
      "reward",
      "sampling",
      "D",
      "N",
      "chat",
      "formula",
      "reward requests",
      "formula (all distinct)",
      "distinct candidates",
      "formula on distinct",
      "",
    ],
    rows.map((r) => [
      r.kind,
      r.sampling,
      r.depth,
      r.width,
      r.chat,
      r.chatFormula,
      r.reward,
      r.rewardFormula,
      `${r.distinctCandidates} / ${r.width * (r.depth + 1)}`,
      r.rewardOnDistinct,
      r.met ? "equal" : "**differs**",
    ]),
  );
}

function renderThroughput(rows: NonNullable<BenchResults["measures"]["throughput"]>): string {
  return table(
    [
      "concurrency",
      "queries",
      "ideal (ms)",
      "wall ms: median (min–max)",
      "wall ÷ ideal",
      "queries/s",
      "requests per query",
      "client CPU ÷ wall",
      "target",
      "",
    ],
    rows.map((r) => [
      r.concurrency,
      r.queries,
      r.idealMs,
      range(r.wallMs, 0),
      range(r.ratio, 4),
      r.queriesPerSecond,
      r.requestsPerQuery,
      r.clientCpuShare,
      `≤ ${r.target}`,
      verdict(r.met),
    ]),
  );
}

function renderOrchestration(o: NonNullable<BenchResults["measures"]["orchestration"]>): string {
  const cpu = table(
    [
      "D",
      "N",
      "queries",
      "client CPU ms / query",
      "client CPU ms / request",
      "server CPU ms / query",
      "wall ms / query",
      "requests / query",
    ],
    o.cpu.map((r) => [
      r.depth,
      r.width,
      r.queries,
      r.clientCpuMsPerQuery,
      r.clientCpuMsPerRequest,
      r.serverCpuMsPerQuery,
      r.wallMsPerQuery,
      r.requestsPerQuery,
    ]),
  );
  const memory = table(
    [
      "D",
      "N",
      "queries in flight",
      "RSS before (MB)",
      "peak RSS (MB)",
      "live heap before (MB)",
      "peak live heap (MB)",
      "live heap KB / query",
      "text chars held / query",
    ],
    o.memory.map((r) => [
      r.depth,
      r.width,
      r.concurrency,
      r.baseRssMb,
      r.maxRssMb,
      r.baseHeapMb,
      r.peakLiveHeapMb,
      r.liveHeapKbPerQuery,
      r.textCharsPerQuery,
    ]),
  );
  const b = o.breakdown;
  const layers = table(
    ["one call of", "client CPU ms"],
    [
      ["a bare node:http request (the floor: no SDK, no parsing)", b.bareNodeHttpRequestMs],
      ["a bare Node 20 fetch request", b.bareFetchRequestMs],
      ["the OpenAI SDK, with Node's fetch", b.openaiSdkWithFetchMs],
      ["the OpenAI SDK, with our node:http fetch", b.openaiSdkWithNodeHttpFetchMs],
      ["our LangChain policy (`createOpenAIChatModel`), `generate` with n", b.langchainPolicyCallMs],
      ["our TEI reward model, one batch", b.teiRewardCallMs],
      ["LangGraph: invoke of a one-node no-op graph", b.langgraphInvokeOneStepMs],
      ["LangGraph: each further no-op step", b.langgraphPerExtraStepMs],
    ],
  );
  return [
    cpu,
    "",
    "Where the client CPU goes, layer by layer (zero latency, one call at a time, the chat calls with the first prompt and n = N):",
    "",
    layers,
    "",
    "One iteration is three chat calls, one reward call and five graph steps (critique, gradient, update, reward, select).",
    "",
    `Client CPU of one more iteration (the slope between the two depths; it covers critique, gradient, update and reward, four requests and five graph steps): **${o.marginalCpuMsPerIteration} ms** (target ≤ ${o.cpuTargetMsPerIteration} ms: ${verdict(o.cpuMet)}). ` +
      "CPU is `process.cpuUsage()` of the client process (all its threads), queries run one at a time.",
    "",
    memory,
    "",
    "Each depth runs in a fresh client process with all queries in flight at once; peak RSS is the process's own maximum (`resourceUsage().maxRSS`), " +
      "and the RSS before the queries is Node with tsx's TypeScript loader and the loaded modules; " +
      `the live heap is sampled every 20 ms after a full GC${o.memory.every((r) => r.gcExposed) ? "" : " (GC was not exposed: the heap figures include garbage)"}. ` +
      `One more iteration adds **${o.heapKbPerAddedIteration} KB** of live heap per query, while the texts it adds to the state (candidates, critique, gradient) are ${o.textKbPerAddedIteration} K characters.`,
  ].join("\n");
}

function renderGrowth(g: NonNullable<BenchResults["measures"]["growth"]>): string {
  const rows = (list: typeof g.byDepth) =>
    list.map((r) => [
      r.depth,
      r.width,
      range(r.wallMs, 1),
      r.criticalPathMs,
      r.ratio.toFixed(4),
      r.chatRequests,
      r.rewardRequests,
    ]);
  const header = [
    "D",
    "N",
    "wall ms: median (min–max)",
    "critical path (ms)",
    "wall ÷ limit",
    "chat requests",
    "TEI requests",
  ];
  return [
    `L = ${g.latencyMs} ms per request, sampling \`auto\` against an n-capable server, TEI reward, no seed (so every update writes new texts). ` +
      "The limit is L times the requests the server counted: with `n` all of a query's requests are sequential.",
    "",
    "Depth:",
    "",
    table(header, rows(g.byDepth)),
    "",
    `Least-squares fit: **${g.depthFit.msPerIteration} ms per iteration** (ideal ${g.idealMsPerIteration}: four requests of L), intercept ${g.depthFit.interceptMs} ms, r² ${g.depthFit.r2}.`,
    "",
    "Width:",
    "",
    table(header, rows(g.byWidth)),
    "",
    `Slowest ÷ fastest wall time across widths: **${g.widthMaxOverMin}**.`,
  ].join("\n");
}

function renderPromptSize(p: NonNullable<BenchResults["measures"]["promptSize"]>): string {
  return [
    `D${p.depth}-N${p.width}, the first data-set prompt (${p.queryChars} characters), seed 0, so every bench run sends the same chosen and rejected texts. ` +
      `Characters are those of the messages' contents (system + user) as the server received them; the generate request sent ${p.generateChars}.`,
    "",
    table(
      [
        "iteration",
        "critique prompt",
        "gradient prompt",
        "update prompt",
        "total",
        "JSON bytes",
        "chosen",
        "rejected",
        "critique text",
        "gradient text",
      ],
      p.iterations.map((r) => [
        r.iteration,
        r.critiqueChars,
        r.gradientChars,
        r.updateChars,
        r.totalChars,
        r.bodyBytes,
        r.chosenChars,
        r.rejectedChars,
        r.critiqueTextChars,
        r.gradientTextChars,
      ]),
    ),
    "",
    `The templates alone (placeholders empty): critique ${p.templateChars.critique}, gradient ${p.templateChars.gradient}, update ${p.templateChars.update} characters.`,
  ].join("\n");
}

const pct = (share: number) => `${(100 * share).toFixed(1)} %`;

function renderPrefixCache(p: NonNullable<BenchResults["measures"]["prefixCache"]>): string {
  return [
    `**Simulated**: the simulated server over HTTP with its prefix cache (the longest common token prefix with earlier requests, reported as \`cached_tokens\`) and answers of about ${p.answerChars} characters; tokens are the simulated world's words. ` +
      "Means per query over the first data-set prompts, `sampling: n`, seed = the prompt's index, a fresh server (empty cache) per row. " +
      '"critic prefix (chars)": of the critique, gradient and update prompts\' characters (role markers and contents), the share that begins like a prompt the server had already received.',
    "",
    table(
      [
        "run",
        "layout",
        "queries",
        "prompt tokens",
        "cached",
        "cached share",
        "completion tokens",
        "requests",
        "critic cached share",
        "critic prefix (chars)",
        "answer chars",
        "mean best",
      ],
      p.rows.map((r) => [
        `D${r.depth}-N${r.width}`,
        r.criticLayout,
        r.queries,
        r.promptTokens,
        r.cachedPromptTokens,
        pct(r.cachedShare),
        r.completionTokens,
        r.requests,
        pct(r.criticCachedShare),
        pct(r.criticPrefixCharShare),
        r.meanAnswerChars,
        r.meanBest,
      ]),
    ),
    "",
    "Target: with `conversation`, at least half of the critic's prompt characters are a prefix already seen by the server.",
  ].join("\n");
}

function renderStopping(s: NonNullable<BenchResults["measures"]["stopping"]>): string {
  return [
    `**Simulated**: the in-process simulated world, answers of about ${s.answerChars} characters, \`sampling: n\`, seed = the prompt's index; means per query. ` +
      "Tokens are prompt + completion (the simulated world's words); reward requests are not counted. Best-of-N at several widths gives the reward a token budget buys without iterating.",
    "",
    table(
      [
        "run",
        "queries",
        "mean best reward",
        "tokens / query",
        "requests / query",
        "mean stopped at",
        "stopped early",
      ],
      s.rows.map((r) => [
        r.label,
        r.queries,
        r.meanBest,
        r.tokens,
        r.requests,
        r.meanStoppedAt,
        r.stoppedEarly,
      ]),
    ),
  ].join("\n");
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, measures: m } = results;
  const parts = [
    "# Benchmarks",
    "",
    "> Every figure here is about **our orchestration against a simulated server**: the simulated world " +
      "over HTTP, with a fixed injected latency per request. The server answers instantly apart from that " +
      "latency and has no capacity limit (but in section 11, whose servers have one). Nothing here is a claim " +
      "about real models or real model servers.",
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, Node ${machine.node}. Date: ${machine.date}. ` +
      `Run: \`npm run bench${results.quick ? " -- --quick" : ""}\` (${results.durationS} s). The server runs in a child process, so client CPU and memory are ours alone. ` +
      "Policy: `createOpenAIChatModel` against the server; reward: `createHttpRewardModel` (`tei`, batch size 64, unless a table says `vllm-pooling`, concurrency 64).",
    "",
  ];
  if (machine.load) {
    parts.push(
      `Load average (1, 5, 15 min) at the start: ${machine.load.join(", ")}; at the end: ${machine.loadAfter?.join(", ") ?? "?"} ` +
        `(${machine.cores} cores: a load above ${machine.cores} means other work competed for them and the timing figures are inflated).`,
      "",
    );
  }
  if (results.partial) {
    parts.push(
      `Partial run (\`--only\`): ${results.partial.rerun.join(", ")} measured on the date above; ` +
        (results.partial.earlier ?? []).map((e) => `${e.measures.join(", ")} on ${e.date}; `).join("") +
        `the other sections are from the run of ${results.partial.previousDate}${results.partial.previousMachine ? ` (${results.partial.previousMachine})` : ""}: compare figures across the runs with care.`,
      "",
    );
  }
  if (results.quick) parts.push("**Quick mode**: a tiny smoke version; its figures mean nothing.", "");
  parts.push(
    "## Summary",
    "",
    table(
      ["measure", "figure", "target", ""],
      headline(results).map((r) => [r.measure, r.figure, r.target, r.verdict]),
    ),
    "",
  );
  if (existsSync(FINDINGS) && !results.quick) parts.push(readFileSync(FINDINGS, "utf8").trim(), "");
  if (m.overhead) {
    parts.push(
      "## 1. Single-query overhead",
      "",
      "Wall time of one query divided by its critical-path limit L·(2 + 4·D): generate, reward, then critique, gradient, update and reward per iteration, each one round trip. A warm-up query runs first and is not counted.",
      "",
      renderOverhead(m.overhead),
      "",
    );
  }
  if (m.roundTrips) {
    parts.push(
      "## 2. Round trips per query",
      "",
      "Requests counted by the server. Formulas: chat 1 + 3·D with `n` (or N = 1), N + D·(2 + N) with `parallel`; reward D + 1 TEI batches, N·(D + 1) pooling requests when all candidates are distinct. " +
        "When an update repeats a text already in the pool, the candidate is scored once: the reward count is then compared with the formula on the distinct candidates (pooling: their number; TEI: the reward steps that had a new candidate). " +
        "These runs set `seed: 0`; sample i of iteration k uses seed + k·N + i, so an update whose prompt repeats the one before (the chosen and rejected responses did not change) still draws new texts.",
      "",
      renderRoundTrips(m.roundTrips),
      "",
    );
  }
  if (m.throughput) {
    parts.push(
      "## 3. Data-set throughput",
      "",
      `D${results.config.throughput.depth}-N${results.config.throughput.width}, L = ${results.config.throughput.latencyMs} ms, a worker pool keeping K queries in flight. Ideal: ⌈queries ÷ K⌉ × the critical path of one query.`,
      "",
      renderThroughput(m.throughput),
      "",
    );
  }
  if (m.orchestration)
    parts.push("## 4. Orchestration cost (zero latency)", "", renderOrchestration(m.orchestration), "");
  if (m.growth) parts.push("## 5. Growth", "", renderGrowth(m.growth), "");
  if (m.promptSize) parts.push("## 6. Prompt size per iteration", "", renderPromptSize(m.promptSize), "");
  if (m.prefixCache)
    parts.push(
      "## 7. Prefix cache: the critic's layout (simulated)",
      "",
      renderPrefixCache(m.prefixCache),
      "",
    );
  if (m.stopping)
    parts.push("## 8. Stopping rules: reward against tokens (simulated)", "", renderStopping(m.stopping), "");
  const cli = renderCli(results);
  if (cli) parts.push(cli, "");
  if (m.reportPage) {
    parts.push(
      "## 10. `tpo report`'s page of a large batch (issue 22)",
      "",
      renderReportPage(m.reportPage),
      "",
    );
  }
  if (m.pools) parts.push("## 11. Pools of servers (simulated)", "", renderPools(m.pools), "");
  if (m.scaleout) {
    parts.push(
      "## 12. The job queue: `tpo batch --queue` and `tpo worker` (issue 20, simulated)",
      "",
      renderScaleout(m.scaleout),
      "",
    );
  }
  if (m.middleware) {
    parts.push(
      "## 13. `tpoMiddleware` in a `createAgent` run (issue 33, simulated)",
      "",
      renderMiddleware(m.middleware),
      "",
    );
  }
  if (m.evalScoring) {
    parts.push(
      "## 14. Leaderboard scoring: `tpo eval score` (issue 30)",
      "",
      renderEvalScoring(m.evalScoring),
      "",
    );
  }
  if (m.cache) {
    parts.push("## 15. The persistent cache (issue 31, simulated)", "", renderCache(m.cache), "");
  }
  return `${parts.join("\n")}\n`;
}
