/**
 * The CLI as a user meets it (issue 12): `tpo` started as a fresh process, against the simulated
 * server in its own process. Full runs use the built CLI (dist/, built first, as `npm run build`
 * does); the quick mode runs the sources through tsx and its figures mean nothing.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchEnv } from "./measures.js";
import type { LoggedRequest } from "./server-process.js";
import { round, roundSpread, spread } from "./stats.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CPU_REPORT = join(ROOT, "bench", "cpu-report.mjs");

export const CLI_TARGETS = {
  startupRatio: 3,
  coldQueryRatio: 1.08,
  batchRatio: 1.15,
  cpuPerQueryMs: 35,
  throughput128: 1.3,
  tracingExtraS: 3,
};

interface ProcessRun {
  wallMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child's own CPU time and peak RSS, reported at its exit by bench/cpu-report.mjs. */
  userMs: number;
  systemMs: number;
  maxRssMb: number;
}

/**
 * How `tpo` is started: the built CLI, or the sources through tsx in quick mode. TPO_BENCH_CLI
 * names another built CLI (dist/bin/tpo.js, or dist/cli/main.js of a commit before the bundle) to
 * compare with, and skips the build.
 */
export function cliArgs(env: BenchEnv): string[] {
  if (process.env.TPO_BENCH_CLI) return [resolve(process.env.TPO_BENCH_CLI)];
  return env.config.quick
    ? ["--import", "tsx", join(ROOT, "src", "cli", "main.ts")]
    : [join(ROOT, "dist", "bin", "tpo.js")];
}

/** Builds dist/ with `npm run build` (tsc, then the CLI bundle), so that the figures are the installed CLI's. */
export function buildCli(env: BenchEnv): void {
  if (env.config.quick || process.env.TPO_BENCH_CLI) return;
  env.log("  building the CLI (npm run build)");
  const result = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`the build failed:\n${result.stdout}${result.stderr}`);
}

/** A child's environment: no model, tracing or TPO settings of the caller's. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TPO_|OPENAI_|LANGSMITH_|LANGCHAIN_|NODE_OPTIONS$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** The simulated server as a user's policy and vLLM pooling reward model. */
export function serverEnv(url: string): Record<string, string> {
  return {
    TPO_BACKEND: "openai",
    OPENAI_BASE_URL: `${url}/v1`,
    OPENAI_API_KEY: "bench",
    TPO_MODEL: "tpo-sim",
    TPO_REWARD_URL: url,
    TPO_REWARD_KIND: "vllm-pooling",
  };
}

async function runProcess(args: string[], extraEnv: Record<string, string> = {}): Promise<ProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), "tpo-bench-cli-"));
  const cpuFile = join(dir, "cpu.json");
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", CPU_REPORT, ...args], {
      cwd: ROOT,
      env: cleanEnv({ ...extraEnv, TPO_BENCH_CPU_FILE: cpuFile }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolvePromise) => child.on("close", resolvePromise));
    const wallMs = performance.now() - started;
    let cpu = { userMs: NaN, systemMs: NaN, maxRssKb: NaN };
    try {
      cpu = JSON.parse(readFileSync(cpuFile, "utf8")) as typeof cpu;
    } catch {
      // the child died before its exit handler ran; the run's code says why
    }
    return {
      wallMs,
      code,
      stdout,
      stderr,
      userMs: cpu.userMs,
      systemMs: cpu.systemMs,
      maxRssMb: cpu.maxRssKb / 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function mustSucceed(run: ProcessRun, what: string): ProcessRun {
  if (run.code !== 0) throw new Error(`${what} exited with ${run.code}:\n${run.stderr.slice(-2000)}`);
  return run;
}

// 9a. Start-up: `tpo --help` and `tpo run --help` against a bare `node -e ""`, interleaved.
export async function measureStartup(env: BenchEnv) {
  const rounds = env.config.quick ? 2 : 5;
  const cli = cliArgs(env);
  const bare: number[] = [];
  const help: number[] = [];
  const runHelp: number[] = [];
  await runProcess(["-e", ""]); // warm the file cache, not counted
  await runProcess([...cli, "--help"]);
  for (let i = 0; i < rounds; i++) {
    bare.push(mustSucceed(await runProcess(["-e", ""]), "node -e").wallMs);
    help.push(mustSucceed(await runProcess([...cli, "--help"]), "tpo --help").wallMs);
    runHelp.push(mustSucceed(await runProcess([...cli, "run", "--help"]), "tpo run --help").wallMs);
  }
  const bareMs = spread(bare).median;
  const rows = [
    { command: "tpo --help", walls: help },
    { command: "tpo run --help", walls: runHelp },
  ].map(({ command, walls }) => {
    const ratio = spread(walls).median / bareMs;
    env.log(`  ${command}: ${spread(walls).median.toFixed(0)} ms, ${ratio.toFixed(2)} × node -e ""`);
    return {
      command,
      wallMs: roundSpread(spread(walls), 1),
      ratio: round(ratio, 2),
      target: CLI_TARGETS.startupRatio,
      met: ratio <= CLI_TARGETS.startupRatio,
    };
  });
  return {
    via: env.config.quick ? "tsx (sources)" : "dist (built)",
    bareNodeMs: roundSpread(spread(bare), 1),
    rows,
  };
}

/** First arrival to last answer in the server's log, and the gaps between sequential requests. */
function span(log: LoggedRequest[]): { spanMs: number; requests: number; byPath: Record<string, number> } {
  const arrived = log.map((r) => r.arrivedAt ?? NaN);
  const finished = log.map((r) => r.finishedAt ?? NaN);
  const byPath: Record<string, number> = {};
  for (const r of log) byPath[r.path] = (byPath[r.path] ?? 0) + 1;
  return { spanMs: Math.max(...finished) - Math.min(...arrived), requests: log.length, byPath };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

// 9b. One cold query: `tpo run` D2-N5 in a fresh process, vLLM pooling reward, 100 ms per request.
export async function measureColdQuery(env: BenchEnv) {
  const latencyMs = env.config.quick ? 10 : 100;
  const [depth, width] = env.config.quick ? [1, 2] : [2, 5];
  const repetitions = env.config.quick ? 1 : 5;
  const criticalPathMs = latencyMs * (2 + 4 * depth);
  const args = [
    ...cliArgs(env),
    "run",
    env.prompts[0],
    "--depth",
    String(depth),
    "--width",
    String(width),
    "--quiet",
  ];
  await env.server.setLatency(latencyMs);
  const ratios: number[] = [];
  const walls: number[] = [];
  const cpus: number[] = [];
  let requests = 0;
  let byPath: Record<string, number> = {};
  for (let rep = 0; rep < repetitions; rep++) {
    await env.server.reset();
    const run = mustSucceed(await runProcess(args, serverEnv(env.server.url)), "tpo run");
    const s = span(await env.server.log());
    ratios.push(s.spanMs / criticalPathMs);
    walls.push(run.wallMs);
    cpus.push(run.userMs + run.systemMs);
    ({ requests, byPath } = s);
  }
  // Tracing on, LangSmith unreachable (a closed port): the extra wall time, and what was said.
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const traced = mustSucceed(
    await runProcess(args, {
      ...serverEnv(env.server.url),
      LANGSMITH_TRACING: "true",
      LANGSMITH_ENDPOINT: endpoint,
      LANGSMITH_API_KEY: "lsv2_bench_not_a_key",
    }),
    "tpo run with tracing",
  );
  await env.server.setLatency(0);
  const ratio = spread(ratios);
  const wall = spread(walls);
  const tracingExtraS = (traced.wallMs - wall.median) / 1000;
  const warnings = traced.stderr.split("\n").filter((line) => line.trim() !== "");
  env.log(
    `  cold query: ${ratio.median.toFixed(3)} × the critical path (${requests} requests); process wall ${wall.median.toFixed(0)} ms; ` +
      `tracing to a closed port +${tracingExtraS.toFixed(1)} s, ${warnings.length} line(s) on stderr`,
  );
  return {
    latencyMs,
    depth,
    width,
    criticalPathMs,
    requests,
    requestsByPath: byPath,
    ratio: roundSpread(ratio, 4),
    processWallMs: roundSpread(wall, 1),
    clientCpuMs: roundSpread(spread(cpus), 1),
    target: CLI_TARGETS.coldQueryRatio,
    met: ratio.median <= CLI_TARGETS.coldQueryRatio,
    tracingUnreachable: {
      endpoint,
      wallMs: round(traced.wallMs, 1),
      extraS: round(tracingExtraS, 2),
      stderrLines: warnings,
      target: CLI_TARGETS.tracingExtraS,
      met: tracingExtraS <= CLI_TARGETS.tracingExtraS && warnings.length === 1,
    },
  };
}

// 9c. The data set: `tpo batch` of the sample prompts, D2-N5, pooling reward, concurrency 32.
export async function measureBatch(env: BenchEnv) {
  const latencyMs = env.config.quick ? 10 : 100;
  const [depth, width] = env.config.quick ? [1, 2] : [2, 5];
  const prompts = env.config.quick ? env.prompts.slice(0, 6) : env.prompts;
  const concurrency = env.config.quick ? 4 : 32;
  const repetitions = env.config.quick ? 1 : 3;
  const idealMs = Math.ceil(prompts.length / concurrency) * latencyMs * (2 + 4 * depth);
  const dir = mkdtempSync(join(tmpdir(), "tpo-bench-batch-"));
  const input = join(dir, "prompts.json");
  writeFileSync(input, JSON.stringify(prompts));
  await env.server.setLatency(latencyMs);
  const rows: { wallMs: number; spanMs: number; userMs: number; systemMs: number; maxRssMb: number }[] = [];
  let requests = 0;
  let startupCpuMs = NaN;
  try {
    // The same command on an empty data set: what loading the modules, starting and exiting cost.
    const empty = join(dir, "empty.json");
    writeFileSync(empty, "[]");
    const idle = [...cliArgs(env), "batch", empty, "--out", join(dir, "empty.jsonl"), "--quiet"];
    const emptyRun = mustSucceed(await runProcess(idle, serverEnv(env.server.url)), "tpo batch of nothing");
    startupCpuMs = emptyRun.userMs + emptyRun.systemMs;
    for (let rep = 0; rep < repetitions; rep++) {
      await env.server.reset();
      const out = join(dir, `out-${rep}.jsonl`);
      const args = [...cliArgs(env), "batch", input, "--out", out, "--concurrency", String(concurrency)];
      args.push("--depth", String(depth), "--width", String(width), "--quiet");
      const run = mustSucceed(await runProcess(args, serverEnv(env.server.url)), "tpo batch");
      const s = span(await env.server.log());
      requests = s.requests;
      rows.push({
        wallMs: run.wallMs,
        spanMs: s.spanMs,
        userMs: run.userMs,
        systemMs: run.systemMs,
        maxRssMb: run.maxRssMb,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await env.server.setLatency(0);
  }
  const wall = spread(rows.map((r) => r.wallMs));
  const ratio = spread(rows.map((r) => r.wallMs / idealMs));
  const user = spread(rows.map((r) => r.userMs));
  const cpuPerQuery = spread(rows.map((r) => (r.userMs + r.systemMs) / prompts.length));
  const marginal = spread(rows.map((r) => (r.userMs + r.systemMs - startupCpuMs) / prompts.length));
  env.log(
    `  batch of ${prompts.length}: ${wall.median.toFixed(0)} ms = ${ratio.median.toFixed(3)} × ${idealMs} ms; ` +
      `user CPU ${user.median.toFixed(0)} ms; ${cpuPerQuery.median.toFixed(1)} ms CPU per query (${marginal.median.toFixed(1)} beyond start-up)`,
  );
  return {
    queries: prompts.length,
    latencyMs,
    depth,
    width,
    concurrency,
    idealMs,
    requestsPerQuery: round(requests / prompts.length, 2),
    wallMs: roundSpread(wall, 1),
    serverSpanMs: roundSpread(spread(rows.map((r) => r.spanMs)), 1),
    ratio: roundSpread(ratio, 4),
    userCpuMs: roundSpread(user, 1),
    systemCpuMs: roundSpread(spread(rows.map((r) => r.systemMs)), 1),
    cpuPerQueryMs: roundSpread(cpuPerQuery, 2),
    /** The CPU of the same command on an empty data set (start-up and exit), and per query beyond it. */
    startupCpuMs: round(startupCpuMs, 1),
    cpuPerQueryBeyondStartupMs: roundSpread(marginal, 2),
    maxRssMb: round(Math.max(...rows.map((r) => r.maxRssMb)), 1),
    target: CLI_TARGETS.batchRatio,
    met: ratio.median <= CLI_TARGETS.batchRatio,
    cpuTarget: CLI_TARGETS.cpuPerQueryMs,
    cpuMet: cpuPerQuery.median <= CLI_TARGETS.cpuPerQueryMs,
  };
}
