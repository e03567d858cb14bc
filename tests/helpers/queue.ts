import { readFileSync } from "node:fs";
import type { BatchRecord } from "../../src/eval/batch/record.js";
import type { SimRequest } from "../../src/sim/server.js";
import { waitUntil } from "./cli.js";
import type { PostgresServer } from "./postgres.js";

/** The ids a worker's standard error says it took and has not finished: the jobs it holds. */
export function heldIds(stderr: string): string[] {
  const ids = (verb: string) =>
    [...stderr.matchAll(new RegExp(`^tpo worker: ${verb} (\\S+) \\(`, "gm"))].map((m) => m[1]);
  const finished = new Set([...ids("done"), ...ids("failed"), ...ids("handed back")]);
  return ids("took").filter((id) => !finished.has(id));
}

/** How many finished jobs a worker's standard error reports. */
export function doneCount(stderr: string): number {
  return [...stderr.matchAll(/^tpo worker: done /gm)].length;
}

/** Checkpoints saved per query id (thread = job key "dataset:mode:id:fingerprint"), in `database`. */
export function checkpointsPerId(pg: PostgresServer, database: string): Map<string, number> {
  try {
    const out = pg.query(database, "SELECT thread_id, COUNT(*) FROM checkpoints GROUP BY thread_id");
    return new Map(
      out
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => {
          const [thread, count] = line.split("|");
          return [thread.split(":").slice(2, -1).join(":"), Number(count)];
        }),
    );
  } catch {
    return new Map(); // no tables yet
  }
}

/**
 * The steps of one query that its model servers were asked more than once: each chat completion
 * asked again is a step (a chat step is one request), and reward requests asked again count as
 * one step. Requests are deterministic (seeded), so a step that ran twice sent the same bodies.
 */
export function repeatedSteps(log: SimRequest[], query: string): number {
  const needle = JSON.stringify(query).slice(1, -1);
  const seen = new Map<string, number>();
  for (const request of log) {
    const body = JSON.stringify(request.body ?? null);
    if (!body.includes(needle)) continue;
    const key = `${request.path} ${body}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const repeated = [...seen].filter(([, n]) => n > 1).map(([key]) => key);
  const chat = repeated.filter((key) => key.startsWith("/v1/chat/completions ")).length;
  return chat + (repeated.length > chat ? 1 : 0);
}

const VARYING = new Set(["elapsedMs", "finishedAt", "nodeMs", "cachedPromptTokens"]);

/** A record without what varies between two runs of the same query: times, and the prefix cache's counts (which depend on the order of requests). */
export function comparable(record: BatchRecord): unknown {
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value && typeof value === "object"
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([key]) => !VARYING.has(key))
              .map(([key, v]) => [key, strip(v)]),
          )
        : value;
  const { resumedFrom: _resumedFrom, ...rest } = record;
  return strip(rest);
}

/** Rows of a SQL query through psql, split into cells. */
export function rows(pg: PostgresServer, database: string, sql: string): string[][] {
  return pg
    .query(database, sql)
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => line.split("|"));
}

/** `check`, asked at most once per `ms` (in between, its last answer): for waitUntil conditions that spawn psql. */
export function throttled(check: () => boolean, ms = 500): () => boolean {
  let last = 0;
  let answer = false;
  return () => {
    if (Date.now() - last < ms) return answer;
    last = Date.now();
    answer = check();
    return answer;
  };
}

/** Whether process `pid` is stopped (state T in /proc/PID/stat), as SIGSTOP leaves it. */
function isStopped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return /^T$/i.test(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]);
}

/**
 * Resolves once a child sent SIGSTOP stands still and what it wrote before is read: once it is
 * stopped, its last lines are in the pipe, and the event loop's next poll phase reads them.
 */
export async function frozen(pid: number): Promise<void> {
  await waitUntil(() => isStopped(pid), 30_000, `process ${pid} to stop`);
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}
