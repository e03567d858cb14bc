import type { QueueDb } from "./connection.js";
import { countUnrecordedFailures, jobStates } from "./pg-boss-sql.js";
import type { SqlClient } from "./packages.js";
import { QUEUE_SCHEMA } from "./schema.js";

/** A worker as its heartbeats describe it; `lost` when they stopped without it saying it stopped. */
export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  state: "running" | "stopping" | "stopped" | "lost";
  concurrency: number;
  /** Jobs it runs now, has finished, and ended as failed attempts. */
  active: number;
  done: number;
  failed: number;
  startedAt: string;
  lastHeartbeat: string;
  secondsSinceHeartbeat: number;
}

export interface QueueStatus {
  jobs: {
    total: number;
    /** Waiting for a worker, a retry's pause included. */
    queued: number;
    active: number;
    done: number;
    failed: number;
  };
  /** Jobs finished per minute lately (the last ten minutes); null before two have. */
  ratePerMinute: number | null;
  /** Seconds until the queued and running jobs are done at that rate; null without a rate. */
  etaSeconds: number | null;
  /** Workers seen in the last hour, and every one that has not stopped. */
  workers: WorkerStatus[];
  datasets: { dataset: string; total: number; done: number; failed: number }[];
}

const RATE_WINDOW_SECONDS = 600;

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  state: string;
  concurrency: number;
  active: number;
  done: number;
  failed: number;
  started_at: Date;
  heartbeat_at: Date;
  since: number;
  lost: boolean;
}

/** Workers that send heartbeats now (running ones whose last heartbeat is within their lease). */
export async function workersOf(db: SqlClient): Promise<WorkerStatus[]> {
  const { rows } = await db.query<WorkerRow>(
    `SELECT id, host, pid, state, concurrency, active, done, failed, started_at, heartbeat_at,
            EXTRACT(epoch FROM now() - heartbeat_at)::float AS since,
            (state <> 'stopped' AND now() - heartbeat_at > make_interval(secs => lease_seconds)) AS lost
       FROM ${QUEUE_SCHEMA}.workers
      WHERE state <> 'stopped' OR heartbeat_at > now() - interval '1 hour'
      ORDER BY started_at`,
  );
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pid: r.pid,
    state: r.lost ? "lost" : (r.state as WorkerStatus["state"]),
    concurrency: r.concurrency,
    active: r.active,
    done: r.done,
    failed: r.failed,
    startedAt: r.started_at.toISOString(),
    lastHeartbeat: r.heartbeat_at.toISOString(),
    secondsSinceHeartbeat: Math.max(0, Math.round(r.since)),
  }));
}

/** Jobs finished per minute over the last ten minutes (from the first of them); null before two. */
async function recentRate(db: SqlClient): Promise<number | null> {
  const { rows } = await db.query<{ n: string; span: number | null }>(
    `SELECT count(*) AS n, EXTRACT(epoch FROM now() - min(finished_at))::float AS span
       FROM ${QUEUE_SCHEMA}.results WHERE finished_at > now() - make_interval(secs => $1)`,
    [RATE_WINDOW_SECONDS],
  );
  const n = Number(rows[0]?.n ?? 0);
  const span = rows[0]?.span ?? null;
  if (n < 2 || span === null) return null;
  return (n / Math.max(span, 60)) * 60;
}

/** The queue as a whole: jobs per state, rate and ETA, workers, data sets. */
export async function queueStatus(queue: QueueDb): Promise<QueueStatus> {
  const db = queue.pool;
  const states = await jobStates(db);
  const { rows: totals } = await db.query<{ dataset: string; total: string; done: string; failed: string }>(
    `SELECT j.dataset, count(*) AS total, count(r.key) FILTER (WHERE r.ok) AS done,
            count(r.key) FILTER (WHERE NOT r.ok) AS failed
       FROM ${QUEUE_SCHEMA}.jobs j LEFT JOIN ${QUEUE_SCHEMA}.results r ON r.key = j.key
      GROUP BY j.dataset ORDER BY j.dataset`,
  );
  const datasets = totals.map((t) => ({
    dataset: t.dataset,
    total: Number(t.total),
    done: Number(t.done),
    failed: Number(t.failed),
  }));
  const sum = (pick: (d: (typeof datasets)[number]) => number) => datasets.reduce((s, d) => s + pick(d), 0);
  const queued = (states.created ?? 0) + (states.retry ?? 0);
  const active = states.active ?? 0;
  const ratePerMinute = await recentRate(db);
  const left = queued + active;
  return {
    jobs: {
      total: sum((d) => d.total),
      queued,
      active,
      done: sum((d) => d.done),
      failed: sum((d) => d.failed) + (await countUnrecordedFailures(db)),
    },
    ratePerMinute,
    etaSeconds: left === 0 ? 0 : ratePerMinute ? Math.round((left / ratePerMinute) * 60) : null,
    workers: await workersOf(db),
    datasets,
  };
}
