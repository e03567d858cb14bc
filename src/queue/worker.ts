import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { QueueDb } from "./connection.js";
import type { SqlClient } from "./packages.js";
import { reasonOf } from "./errors-of-pg.js";
import { INITIAL_LEASE_SECONDS } from "./enqueue.js";
import { jobDataOf, type AnyJobData } from "./job.js";
import { handBack, renewLeases, unrecordedFailures, type HeldJob } from "./pg-boss-sql.js";
import { admitJob, refuseJob, type JobLabel } from "./refuse.js";
import { checkRecord, saveResult, type RecordSchema } from "./results.js";
import { QUEUE_NAME, QUEUE_SCHEMA } from "./schema.js";
import type { RunCaps } from "../settings/caps.js";

/** A job as a worker runs it. */
export interface ClaimedJob {
  /** pg-boss's id of the job. */
  id: string;
  data: AnyJobData;
  /** This run's attempt, from 1, and the attempts the job has in all. */
  attempt: number;
  maxAttempts: number;
}

/** What a run came to: the record to keep, and the failure when it failed. */
export interface JobOutcome<R> {
  record: R;
  error?: { message: string; step?: string };
}

export type WorkerEvent<R> =
  | { type: "job.started"; job: ClaimedJob }
  | { type: "job.done"; job: ClaimedJob; outcome: JobOutcome<R>; kept: boolean }
  | { type: "job.retrying"; job: ClaimedJob; error: { message: string } }
  | { type: "job.failed"; job: ClaimedJob; error: { message: string } }
  /** Not run: data this worker cannot read, or settings above its caps; failed at once, without retries. */
  | { type: "job.refused"; label: JobLabel; reason: string }
  /** Its lease lapsed and the job was taken from this worker: the run was stopped. */
  | { type: "job.lost"; job: ClaimedJob }
  | { type: "job.handed-back"; job: ClaimedJob }
  | { type: "warning"; message: string }
  /** The database went away (once per outage, whatever noticed it first); then back. */
  | { type: "connection.lost"; reason: string }
  | { type: "connection.back" };

export interface QueueWorkerOptions<R> {
  /** Jobs run at once. */
  concurrency: number;
  /** A job whose worker sends no heartbeat for this long goes back to the queue (heartbeats every third of it). */
  leaseSeconds: number;
  /** How often an idle worker asks for jobs (default 1000 ms). */
  pollMs?: number;
  /** The records' shape: a run's record that does not fit it is not kept, and its job fails saying why. */
  recordSchema: RecordSchema<R>;
  /** Runs one job; `signal` aborts it when the job is taken away or the worker stops. */
  run(job: ClaimedJob, signal: AbortSignal): Promise<JobOutcome<R>>;
  /** The record of a job that failed for good without a run to make one (its worker vanished on its last attempt). */
  failureRecord(data: AnyJobData, message: string): R;
  /**
   * Deletes what a job's runs left besides the record (its checkpoints), once its record is kept
   * for good: done, or failed after its last attempt. A failure here costs space, not results.
   */
  forget?(key: string): Promise<void>;
  /** The record of a job refused at the door whose data could not be read. */
  refusedRecord(label: JobLabel, message: string): R;
  /** Settings a job may ask for at most; a job above them is refused. */
  caps?: RunCaps;
  onEvent?(event: WorkerEvent<R>): void;
}

export interface WorkerSummary {
  done: number;
  /** Attempts that failed (retried or not). */
  failed: number;
  handedBack: number;
}

export interface QueueWorker {
  id: string;
  host: string;
  /** Jobs running now. */
  active(): number;
  /**
   * Stops taking jobs; the jobs in flight get `graceMs` to finish, the rest are stopped and handed
   * back for other workers to take at once (each resumes from its last checkpoint). Calling it
   * again (a second signal) cuts the grace short. Resolves when the worker has stopped.
   */
  stop(graceMs: number): Promise<WorkerSummary>;
  /**
   * Something else on the same database lost its connection (the pool, pg-boss, the checkpointer):
   * reported as this worker's own failures are, once per outage, with `connection.back` after it.
   */
  connectionLost(reason: string): void;
}

interface InFlight {
  job: ClaimedJob;
  held: HeldJob;
  controller: AbortController;
  settled: Promise<void>;
  /** Saving its record or failing it in pg-boss: past the point of being handed back. */
  finishing: boolean;
  /** Set when the run is stopped from outside: its outcome is not kept. */
  taken?: "lost" | "stop";
}

interface FetchedJob {
  id: string;
  data: unknown;
  retryCount: number;
  retryLimit: number;
  expireInSeconds: number | string;
}

/** How long stopped runs get to end (their last step saved) before their jobs are handed back. */
const SETTLE_AFTER_ABORT_MS = 10_000;

function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
    timer = setTimeout(r, ms);
  });
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      resolve();
    },
  };
}

/**
 * Takes jobs from the queue until stopped: `concurrency` at once, each run by `options.run`, its
 * record kept once per job key. Heartbeats extend the lease of its jobs; a job whose worker dies
 * goes back when its lease lapses (pg-boss's maintenance, which workers run, expires it) and
 * counts as an attempt. Jobs that failed for good without a record get one from `failureRecord`.
 */
export async function startQueueWorker<R>(
  queue: QueueDb,
  options: QueueWorkerOptions<R>,
): Promise<QueueWorker> {
  const id = randomUUID();
  const host = hostname();
  const db = queue.pool;
  const pollMs = options.pollMs ?? 1000;
  const emit = (event: WorkerEvent<R>) => options.onEvent?.(event);
  const inFlight = new Map<string, InFlight>();
  const summary: WorkerSummary = { done: 0, failed: 0, handedBack: 0 };
  let state: "running" | "stopping" | "stopped" = "running";
  let wake = () => {};
  let graceCut = () => {};
  let hurry = false;
  let connectionDown = false;

  await db.query(
    `INSERT INTO ${QUEUE_SCHEMA}.workers (id, host, pid, concurrency, lease_seconds, state) VALUES ($1, $2, $3, $4, $5, 'running')`,
    [id, host, process.pid, options.concurrency, options.leaseSeconds],
  );

  const warn = (message: string) => emit({ type: "warning", message });
  const forget = (key: string) => options.forget?.(key);
  const connectionLost = (reason: string) => {
    if (state === "stopped") return; // its connections are closing
    if (!connectionDown) emit({ type: "connection.lost", reason });
    connectionDown = true;
  };
  const dbFailed = (what: string, error: unknown) => connectionLost(`${what} failed: ${reasonOf(error)}`);
  const dbOk = () => {
    if (connectionDown) emit({ type: "connection.back" });
    connectionDown = false;
  };

  /** The worker's row: with each heartbeat. */
  const touch = () =>
    db.query(
      `UPDATE ${QUEUE_SCHEMA}.workers SET heartbeat_at = now(), state = $2, active = $3 WHERE id = $1`,
      [id, state, inFlight.size],
    );

  /**
   * Counts a job's outcome in the worker's row, with the jobs it runs besides (`active`): on
   * `client`, inside the transaction that keeps the outcome, so that whoever sees its record (a
   * waiting batch, then `tpo queue status`) sees it counted, and an outcome rolled back is not.
   */
  const count = (client: SqlClient, outcome: "done" | "failed", active: number) =>
    client.query(
      `UPDATE ${QUEUE_SCHEMA}.workers SET heartbeat_at = now(), active = $2, ${outcome} = ${outcome} + 1 WHERE id = $1`,
      [id, active],
    );

  /**
   * Keeps a run's outcome in one transaction: its record (after the last attempt or a success),
   * the job's end in pg-boss, and this worker's count of it.
   */
  const finish = async (entry: InFlight, outcome: JobOutcome<R>) => {
    const { job } = entry;
    entry.finishing = true;
    const last = !outcome.error || job.attempt >= job.maxAttempts;
    const counted = outcome.error ? "failed" : "done";
    try {
      const kept = await queue.transaction(async (client, bossDb) => {
        const kept =
          last &&
          (await saveResult(client, {
            key: job.data.key,
            ok: !outcome.error,
            record: outcome.record,
            worker: id,
            attempt: job.attempt,
          }));
        if (outcome.error) await queue.boss.fail(QUEUE_NAME, job.id, outcome.error, { db: bossDb });
        else await queue.boss.complete(QUEUE_NAME, job.id, {}, { db: bossDb });
        await count(client, counted, inFlight.size - 1);
        return kept;
      });
      summary[counted]++;
      if (last) await forget(job.data.key);
      if (!outcome.error) emit({ type: "job.done", job, outcome, kept });
      else emit({ type: last ? "job.failed" : "job.retrying", job, error: outcome.error });
    } catch (error) {
      // Unsaved, the job's lease lapses and another worker takes it: it resumes from its checkpoint.
      dbFailed(`keeping the result of ${job.data.key}`, error);
    }
  };

  /** A job not to run: failed for good at once, with its record and its count, and the worker goes on. */
  const refuse = async (fetched: FetchedJob, reason: string) => {
    const message = `refused by a worker: ${reason}`;
    const data = jobDataOf(fetched.data);
    const job = { id: fetched.id, data: fetched.data, worker: id, attempt: fetched.retryCount + 1 };
    try {
      const label = await queue.transaction(async (client, bossDb) => {
        const label = await refuseJob(queue.boss, client, bossDb, job, reason, (label) =>
          data ? options.failureRecord(data, message) : options.refusedRecord(label, message),
        );
        await count(client, "failed", inFlight.size);
        return label;
      });
      summary.failed++;
      emit({ type: "job.refused", label, reason });
    } catch (error) {
      // Its lease lapses and it comes back, to be refused again.
      dbFailed(`refusing job ${fetched.id}`, error);
    }
  };

  const start = (fetched: FetchedJob, data: AnyJobData) => {
    const job: ClaimedJob = {
      id: fetched.id,
      data,
      attempt: fetched.retryCount + 1,
      maxAttempts: fetched.retryLimit + 1,
    };
    const entry: InFlight = {
      job,
      held: { id: fetched.id, retryCount: fetched.retryCount },
      controller: new AbortController(),
      settled: Promise.resolve(),
      finishing: false,
    };
    inFlight.set(job.id, entry);
    emit({ type: "job.started", job });
    entry.settled = (async () => {
      let outcome: JobOutcome<R>;
      const failed = (message: string) => ({
        record: options.failureRecord(data, message),
        error: { message },
      });
      try {
        outcome = await options.run(job, entry.controller.signal);
        const checked = checkRecord(options.recordSchema, outcome.record);
        outcome =
          "record" in checked
            ? { ...outcome, record: checked.record }
            : failed(`its run made a record that does not fit the records' shape (${checked.misfit})`);
      } catch (error) {
        outcome = failed(error instanceof Error ? error.message : String(error));
      }
      if (entry.taken) return;
      await finish(entry, outcome);
    })().finally(() => {
      inFlight.delete(job.id);
      wake();
    });
  };

  const heldJobs = () => [...inFlight.values()].filter((e) => !e.taken && !e.finishing);

  /** The heartbeat in flight: a stopping worker waits for it before the connections close. */
  let beating: Promise<void> | null = null;
  const heartbeat = (): Promise<void> => (beating ??= beat().finally(() => (beating = null)));
  const beat = async () => {
    try {
      const held = heldJobs();
      const kept = await renewLeases(
        db,
        held.map((e) => e.held),
        options.leaseSeconds,
      );
      for (const entry of held) {
        if (kept.has(entry.job.id) || entry.finishing || entry.taken || !inFlight.has(entry.job.id)) continue;
        entry.taken = "lost";
        entry.controller.abort(new Error("another worker took this job: its lease lapsed"));
        emit({ type: "job.lost", job: entry.job });
      }
      await touch();
      for (const failure of await unrecordedFailures(db, 20)) {
        const data = jobDataOf(failure.data);
        if (!data) continue;
        const message = /timeout in active state/.test(failure.message)
          ? `its worker stopped sending heartbeats (for ${options.leaseSeconds} s or more) on its last attempt`
          : failure.message;
        await saveResult(db, {
          key: data.key,
          ok: false,
          record: options.failureRecord(data, message),
          worker: id,
          attempt: 0,
        });
        await forget(data.key);
      }
      dbOk();
    } catch (error) {
      dbFailed("the heartbeat", error);
    }
  };
  const beatEvery = Math.max(1000, Math.round((options.leaseSeconds * 1000) / 3));
  const heartbeatTimer = setInterval(() => void heartbeat(), beatEvery);

  const fetchJobs = async (count: number): Promise<FetchedJob[]> => {
    const jobs = (await queue.boss.fetch(QUEUE_NAME, {
      batchSize: count,
      includeMetadata: true,
    })) as FetchedJob[];
    // Its lease is this worker's from now on, not the one it was enqueued with (or extended to by
    // a worker that had it before).
    const other = jobs.filter((j) => Number(j.expireInSeconds) !== options.leaseSeconds);
    if (other.length === 0) return jobs;
    try {
      await renewLeases(
        db,
        other.map((j) => ({ id: j.id, retryCount: j.retryCount })),
        options.leaseSeconds,
      );
    } catch (error) {
      dbFailed("the heartbeat", error);
    }
    return jobs;
  };

  const loop = (async () => {
    while (state === "running") {
      const free = options.concurrency - inFlight.size;
      let got = 0;
      if (free > 0) {
        const jobs = await fetchJobs(free).catch((error: unknown) => {
          dbFailed("asking for jobs", error);
          return [] as FetchedJob[];
        });
        if (state !== "running") {
          // Stopped while asking: these never started, so they go straight back.
          summary.handedBack += await handBack(
            db,
            jobs.map((j) => ({ id: j.id, retryCount: j.retryCount })),
            INITIAL_LEASE_SECONDS,
          ).catch(() => 0);
          break;
        }
        for (const job of jobs) {
          const admitted = admitJob(job.data, options.caps);
          if ("data" in admitted) start(job, admitted.data);
          else await refuse(job, admitted.refused);
        }
        got = jobs.length;
      }
      if (got > 0 && got === free) continue;
      const pause = delay(free > 0 ? pollMs : 60_000);
      wake = pause.cancel;
      await pause.promise;
    }
  })();

  let stopped: Promise<WorkerSummary> | null = null;
  const stop = (graceMs: number): Promise<WorkerSummary> => {
    if (stopped) {
      hurry = true; // a second stop: no more grace
      graceCut();
      return stopped;
    }
    state = "stopping";
    wake();
    stopped = (async () => {
      await loop;
      void heartbeat();
      const grace = delay(hurry ? 0 : graceMs);
      graceCut = grace.cancel;
      await Promise.race([Promise.all([...inFlight.values()].map((e) => e.settled)), grace.promise]);
      grace.cancel();
      const left = heldJobs();
      for (const entry of left) {
        entry.taken = "stop";
        entry.controller.abort(new Error("the worker is stopping; the job goes back to the queue"));
      }
      // The runs stop at their next step (each step saved before the next starts); wait for them,
      // boundedly, so that no step of theirs overlaps the next worker's.
      const settle = delay(SETTLE_AFTER_ABORT_MS);
      await Promise.race([Promise.all(left.map((e) => e.settled)), settle.promise]);
      settle.cancel();
      // A run that has not ended may still be saving a step: its job is left to its lease.
      const ended = left.filter((e) => !inFlight.has(e.job.id));
      if (ended.length < left.length) {
        warn(
          `${left.length - ended.length} job(s) did not stop in time; they go back to the queue when their lease lapses.`,
        );
      }
      try {
        summary.handedBack += await handBack(
          db,
          ended.map((e) => e.held),
          INITIAL_LEASE_SECONDS,
        );
        for (const entry of ended) emit({ type: "job.handed-back", job: entry.job });
      } catch (error) {
        warn(
          `handing back ${ended.length} job(s) failed (${reasonOf(error)}); they go back when their lease lapses.`,
        );
      }
      // Jobs finishing their record were not handed back: let them end.
      const finishing = delay(SETTLE_AFTER_ABORT_MS);
      await Promise.race([Promise.all([...inFlight.values()].map((e) => e.settled)), finishing.promise]);
      finishing.cancel();
      clearInterval(heartbeatTimer);
      await beating;
      state = "stopped";
      await db
        .query(
          `UPDATE ${QUEUE_SCHEMA}.workers SET heartbeat_at = now(), state = 'stopped', active = 0 WHERE id = $1`,
          [id],
        )
        .catch(() => {});
      return { ...summary };
    })();
    return stopped;
  };

  return { id, host, active: () => inFlight.size, stop, connectionLost };
}
