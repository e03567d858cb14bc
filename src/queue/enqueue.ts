import type PgBoss from "pg-boss";
import type { BossDb, QueueDb } from "./connection.js";
import { jobIdOf, type AnyJobData, type RetryPolicy } from "./job.js";
import type { SqlClient } from "./packages.js";
import { QUEUE_NAME, QUEUE_SCHEMA } from "./schema.js";
import { failedJobKeys } from "./pg-boss-sql.js";

/** What an enqueue did. */
export interface EnqueueResult {
  /** Jobs new to the queue. */
  added: number;
  /** Jobs the queue had already, without a record yet (queued, running, or about to be retried). */
  pending: number;
  /** Jobs that have their record already (done, or failed for good). */
  finished: number;
  /** Failed jobs put back in the queue (with `retryFailed`). */
  requeued: number;
}

/**
 * The lease a job starts with: a worker's default (`tpo worker --lease`), so that a worker with
 * the default lease need not set it when it takes the job.
 */
export const INITIAL_LEASE_SECONDS = 30;
/** How long a queued job may wait for a worker before pg-boss would archive it unrun. */
const KEEP_QUEUED_DAYS = 365;
const CHUNK = 500;

/** pg-boss's insert of jobs with the ids of their keys; an id that is queued already is left alone. */
export async function insertBossJobs(
  boss: PgBoss,
  db: BossDb,
  jobs: { data: AnyJobData; policy: RetryPolicy }[],
): Promise<void> {
  if (jobs.length === 0) return;
  const keepUntil = new Date(Date.now() + KEEP_QUEUED_DAYS * 86_400_000).toISOString();
  await boss.insert(
    jobs.map(({ data, policy }) => ({
      id: jobIdOf(data.key),
      name: QUEUE_NAME,
      data,
      retryLimit: policy.maxAttempts - 1,
      retryDelay: policy.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: INITIAL_LEASE_SECONDS,
      keepUntil,
    })),
    { db },
  );
}

async function enqueueChunk(
  boss: PgBoss,
  client: SqlClient,
  db: BossDb,
  jobs: AnyJobData[],
  policy: RetryPolicy,
  retryFailed: boolean,
): Promise<EnqueueResult> {
  const keys = jobs.map((j) => j.key);
  // The catalogue first: two batches enqueuing the same keys at once meet on its primary key, and
  // the second waits for the first's transaction.
  const { rows: added } = await client.query<{ key: string }>(
    `INSERT INTO ${QUEUE_SCHEMA}.jobs (key, job_id, dataset, item_id, mode, data, max_attempts, retry_delay)
     SELECT x.key, x.job_id, x.dataset, x.item_id, x.mode, x.data, $2, $3
       FROM json_to_recordset($1::json) AS x(key text, job_id uuid, dataset text, item_id text, mode text, data jsonb)
     ON CONFLICT (key) DO NOTHING
     RETURNING key`,
    [
      JSON.stringify(
        jobs.map((j) => ({
          key: j.key,
          job_id: jobIdOf(j.key),
          dataset: j.dataset,
          item_id: j.id,
          mode: j.mode,
          data: j,
        })),
      ),
      policy.maxAttempts,
      policy.retryDelaySeconds,
    ],
  );
  const { rows: finished } = await client.query<{ key: string; ok: boolean }>(
    `SELECT key, ok FROM ${QUEUE_SCHEMA}.results WHERE key = ANY($1::text[])`,
    [keys],
  );
  const done = new Set(finished.map((r) => r.key));
  let requeued = 0;
  if (retryFailed) {
    const failed = new Set([
      ...finished.filter((r) => !r.ok).map((r) => r.key),
      ...(await failedJobKeys(
        client,
        keys.filter((k) => !done.has(k)),
      )),
    ]);
    requeued = await requeueFailed(boss, client, db, [...failed]);
    for (const key of failed) done.delete(key);
  }
  // Every job without a record goes (back) to pg-boss; one it holds already is left as it is.
  await insertBossJobs(
    boss,
    db,
    jobs.filter((j) => !done.has(j.key)).map((data) => ({ data, policy })),
  );
  return {
    added: added.length,
    pending: jobs.length - added.length - done.size - requeued,
    finished: done.size,
    requeued,
  };
}

/**
 * Takes failed jobs out of pg-boss and removes their failure records, so that inserting them
 * again starts them afresh (all their attempts again). Returns how many keys it was given.
 */
export async function requeueFailed(
  boss: PgBoss,
  client: SqlClient,
  db: BossDb,
  keys: string[],
): Promise<number> {
  if (keys.length === 0) return 0;
  await client.query(`DELETE FROM ${QUEUE_SCHEMA}.results WHERE key = ANY($1::text[]) AND NOT ok`, [keys]);
  await boss.deleteJob(QUEUE_NAME, keys.map(jobIdOf), { db });
  return keys.length;
}

/**
 * Enqueues jobs, idempotently: a job key that is queued, running or finished is not enqueued
 * again, so the same batch run twice (or by two machines at once) makes each job once. With
 * `retryFailed`, the jobs among them that failed for good are put back.
 */
export async function enqueueJobs(
  queue: QueueDb,
  jobs: AnyJobData[],
  policy: RetryPolicy,
  options: { retryFailed?: boolean } = {},
): Promise<EnqueueResult> {
  const total: EnqueueResult = { added: 0, pending: 0, finished: 0, requeued: 0 };
  for (let i = 0; i < jobs.length; i += CHUNK) {
    const chunk = jobs.slice(i, i + CHUNK);
    const result = await queue.transaction((client, db) =>
      enqueueChunk(queue.boss, client, db, chunk, policy, options.retryFailed ?? false),
    );
    for (const k of Object.keys(total) as (keyof EnqueueResult)[]) total[k] += result[k];
  }
  return total;
}
