/**
 * `--only scaleout` (issue 20): the PostgreSQL job queue. The same data set through a plain
 * `tpo batch` (the reference), the same with LangGraph's PostgreSQL checkpointer, then through
 * `tpo batch --queue` with 1, 2 and 4 `tpo worker` processes, each against a fresh database of a
 * throwaway PostgreSQL server (Debian's programs, as the tests start it) that logs every
 * statement's duration. The simulated server's requests cost latency, not CPU: the figures are the
 * mechanics of the queue on this machine, not a claim about real model servers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres, type PostgresServer } from "../tests/helpers/postgres.js";
import { cleanEnv, cliArgs, serverEnv } from "./cli-measures.js";
import type { BenchEnv } from "./measures.js";
import { criticalPathRequests, round } from "./stats.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CPU_REPORT = join(ROOT, "bench", "cpu-report.mjs");
/** The queue's connections name themselves so (src/queue/connection.ts); the checkpointer's do not. */
const QUEUE_APPLICATION = "tpo-queue";
const SEED = "1";

interface Started {
  child: ChildProcess;
  cpuFile: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Every `tpo` process this measure starts, so that all of them are stopped however it ends. */
class Children {
  private readonly running = new Set<ChildProcess>();
  private seq = 0;

  constructor(
    private readonly env: BenchEnv,
    private readonly dir: string,
  ) {}

  start(args: string[], timeoutMs: number): Started {
    const cpuFile = join(this.dir, `cpu-${this.seq++}.json`);
    const child = spawn(process.execPath, ["--import", CPU_REPORT, ...cliArgs(this.env), ...args], {
      cwd: ROOT,
      env: cleanEnv({ ...serverEnv(this.env.server.url), TPO_BENCH_CPU_FILE: cpuFile }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.running.add(child);
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-8000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
      (resolvePromise) => {
        child.on("close", (code, signal) => {
          clearTimeout(timer);
          this.running.delete(child);
          resolvePromise({ code, signal, stderr });
        });
      },
    );
    return { child, cpuFile, done };
  }

  killAll(): void {
    for (const child of this.running) child.kill("SIGKILL");
  }
}

/** The child's own CPU time in ms (bench/cpu-report.mjs writes it at exit), NaN when it died first. */
function cpuOf(started: Started): number {
  try {
    const cpu = JSON.parse(readFileSync(started.cpuFile, "utf8")) as { userMs: number; systemMs: number };
    return cpu.userMs + cpu.systemMs;
  } catch {
    return NaN;
  }
}

async function mustExit(started: Started, what: string): Promise<void> {
  const { code, signal, stderr } = await started.done;
  if (code !== 0) throw new Error(`${what} exited with ${code ?? signal}:\n${stderr.slice(-2000)}`);
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function stop(started: Started, graceMs: number): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill("SIGTERM");
  const timer = setTimeout(() => started.child.kill("SIGKILL"), graceMs);
  await started.done;
  clearTimeout(timer);
}

interface SqlTime {
  /** Statements executed (simple queries, and the execute step of prepared ones). */
  statements: number;
  /** Their durations as the server logged them, parse and bind steps included. */
  ms: number;
}

export interface SqlSplit {
  queue: SqlTime;
  checkpoints: SqlTime;
}

const LOG_LINE = /^([^|]*)\|([^|]*)\|LOG:\s+duration: ([\d.]+) ms\s+(statement|parse|bind|execute)/;

/**
 * The statement durations of `database` in the server log's lines after byte `from` (the log's
 * line prefix is `%d|%a|`): the queue's connections (pg-boss and the queue's tables, of the
 * workers and the waiting batch) and the others (LangGraph's checkpointer). psql's are ours.
 */
function sqlTimes(logFile: string, from: number, database: string): SqlSplit {
  const size = statSync(logFile).size;
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(logFile, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  const split: SqlSplit = { queue: { statements: 0, ms: 0 }, checkpoints: { statements: 0, ms: 0 } };
  for (const line of buffer.toString("utf8").split("\n")) {
    const m = LOG_LINE.exec(line);
    if (!m || m[1] !== database || m[2] === "psql") continue;
    const into = m[2] === QUEUE_APPLICATION ? split.queue : split.checkpoints;
    into.ms += Number(m[3]);
    if (m[4] === "statement" || m[4] === "execute") into.statements += 1;
  }
  return split;
}

function perJob(split: SqlSplit, jobs: number) {
  const of = (t: SqlTime) => ({
    statements: round(t.statements / jobs, 1),
    ms: round(t.ms / jobs, 2),
  });
  return { queue: of(split.queue), checkpoints: of(split.checkpoints) };
}

function count(pg: PostgresServer, database: string, sql: string): number {
  try {
    return Number(pg.query(database, sql).trim() || "0");
  } catch {
    return 0; // the table is not there yet
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function records(out: string): { id: string; error?: unknown }[] {
  return readFileSync(out, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { id: string; error?: unknown });
}

export async function measureScaleout(env: BenchEnv) {
  const c = env.config.scaleout;
  const started = await startPostgres();
  if ("unavailable" in started) {
    env.log(`   skipped: ${started.unavailable}`);
    return { ...c, unavailable: started.unavailable };
  }
  const pg = started;
  const dir = mkdtempSync(join(tmpdir(), "tpo-bench-scaleout-"));
  const children = new Children(env, dir);
  const cleanUp = () => {
    children.killAll();
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  // Interrupted (Ctrl-C) or killed: no worker, batch or PostgreSQL server is left behind.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    pg.query("postgres", "ALTER SYSTEM SET log_min_duration_statement = 0");
    pg.query("postgres", "ALTER SYSTEM SET log_line_prefix = '%d|%a|'");
    pg.query("postgres", "SELECT pg_reload_conf()");

    // Distinct queries: the sample prompts, then again with a suffix, as many as asked for.
    const queries = Array.from({ length: c.queries }, (_, i) => {
      const prompt = env.prompts[i % env.prompts.length];
      const again = Math.floor(i / env.prompts.length);
      return again === 0 ? prompt : `${prompt} (${again + 1})`;
    });
    const input = join(dir, "queries.json");
    writeFileSync(input, JSON.stringify(queries));
    const settings = ["--depth", String(c.depth), "--width", String(c.width), "--seed", SEED, "--quiet"];
    const queryMs = c.latencyMs * criticalPathRequests(c.depth);
    // Bounds: far above a run's expected time on a busy machine, so that only a hang trips them.
    const runTimeoutMs = Math.max(600_000, 20 * Math.ceil(c.queries / c.concurrency) * queryMs);
    await env.server.setLatency(c.latencyMs);

    const rows = [];
    const runs: { kind: "plain" | "checkpoint" | "queue"; workers: number }[] = [
      { kind: "plain", workers: 0 },
      { kind: "checkpoint", workers: 0 },
      ...c.workers.map((workers) => ({ kind: "queue" as const, workers })),
    ];
    for (const [index, run] of runs.entries()) {
      const database = `scaleout_${index}`;
      pg.createDatabase(database);
      const url = pg.url(database);
      const out = join(dir, `${database}.jsonl`);
      await env.server.reset();
      const workers = Array.from({ length: run.workers }, () =>
        children.start(
          ["worker", url, "--concurrency", String(c.concurrency), "--quiet"],
          runTimeoutMs + 120_000,
        ),
      );
      // Workers start before the clock: a worker's start-up is not a cost per data set.
      if (workers.length > 0) {
        await waitFor(
          () => {
            const exited = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
            if (exited) throw new Error(`a worker exited at start-up: ${exited.child.exitCode}`);
            const ready = count(
              pg,
              database,
              "SELECT count(*) FROM tpo_queue.workers WHERE state = 'running'",
            );
            return ready === workers.length;
          },
          120_000,
          `${workers.length} worker(s) to start`,
        );
      }
      const logFrom = statSync(pg.logFile).size;
      const args =
        run.kind === "queue"
          ? ["batch", input, "--queue", url, "--out", out, ...settings]
          : ["batch", input, "--out", out, "--concurrency", String(c.concurrency), ...settings];
      if (run.kind === "checkpoint") args.push("--checkpoint", url);
      const clock = performance.now();
      const batch = children.start(args, runTimeoutMs);
      await mustExit(batch, `tpo ${args.slice(0, 4).join(" ")}`);
      const wallMs = performance.now() - clock;
      const jobsPerWorker =
        run.kind === "queue"
          ? pg
              .query(database, "SELECT count(*) FROM tpo_queue.results GROUP BY worker ORDER BY 1 DESC")
              .split("\n")
              .filter((l) => l.trim())
              .map(Number)
          : [];
      await Promise.all(workers.map((w) => stop(w, 60_000)));
      const written = records(out);
      const failed = written.filter((r) => r.error !== undefined).length;
      if (written.length !== c.queries || failed > 0) {
        throw new Error(`${database}: ${written.length} records of ${c.queries}, ${failed} failed`);
      }
      const requests = (await env.server.log()).length;
      const cpuMs = [batch, ...workers].map(cpuOf).reduce((s, v) => s + v, 0);
      const sql = run.kind === "plain" ? null : perJob(sqlTimes(pg.logFile, logFrom, database), c.queries);
      const inFlight = c.concurrency * Math.max(1, run.workers);
      const row = {
        run:
          run.kind === "plain"
            ? "plain tpo batch"
            : run.kind === "checkpoint"
              ? "plain tpo batch --checkpoint postgres://"
              : `tpo batch --queue, ${run.workers} worker${run.workers > 1 ? "s" : ""}`,
        workers: run.workers,
        inFlight,
        wallS: round(wallMs / 1000, 2),
        idealS: round((Math.ceil(c.queries / inFlight) * queryMs) / 1000, 2),
        queriesPerS: round(c.queries / (wallMs / 1000), 2),
        requestsPerQuery: round(requests / c.queries, 2),
        jobsPerWorker,
        cpuPerQueryMs: round(cpuMs / c.queries, 1),
        sqlPerJob: sql,
        loadAfter: loadavg().map((l) => round(l, 2)),
      };
      env.log(
        `   ${row.run}: ${row.wallS} s (ideal ${row.idealS} s), CPU ${row.cpuPerQueryMs} ms/query` +
          (sql
            ? `, PostgreSQL ${sql.queue.ms} ms queue + ${sql.checkpoints.ms} ms checkpoints per job`
            : "") +
          `, load ${row.loadAfter[0]}`,
      );
      rows.push(row);
    }
    await env.server.setLatency(0);
    const plain = rows.find((r) => r.workers === 0 && r.sqlPerJob === null);
    const one = rows.find((r) => r.workers === 1);
    return {
      ...c,
      queryMs,
      rows: rows.map((r) => ({
        ...r,
        throughputVsOneWorker: one && r.workers > 0 ? round(r.queriesPerS / one.queriesPerS, 2) : null,
        wallVsPlain: plain ? round(r.wallS / plain.wallS, 2) : null,
      })),
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    cleanUp();
  }
}
