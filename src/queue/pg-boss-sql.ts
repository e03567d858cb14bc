/**
 * The few statements on pg-boss's own tables that its API (version 10) has no call for: a
 * worker's heartbeat (extend the lease of the jobs it runs), handing jobs back at once when a
 * worker stops, and the counts and failures that the status and the workers read. pg-boss's
 * tables are versioned: `checkPgBossSchema` refuses any version but the one these were written for.
 */
import type PgBoss from "pg-boss";
import { TpoQueueError } from "../errors.js";
import type { SqlClient } from "./packages.js";
import { PG_BOSS_SCHEMA, QUEUE_NAME, QUEUE_SCHEMA } from "./schema.js";

/** pg-boss 10's schema version. */
export const PG_BOSS_SCHEMA_VERSION = 24;

const JOB = `${PG_BOSS_SCHEMA}.job`;

export async function checkPgBossSchema(boss: PgBoss): Promise<void> {
  const version = Number(await boss.schemaVersion());
  if (version !== PG_BOSS_SCHEMA_VERSION) {
    throw new TpoQueueError(
      `pg-boss's tables (schema ${PG_BOSS_SCHEMA}) are at version ${version}; this langgraph-tpo works with ` +
        `version ${PG_BOSS_SCHEMA_VERSION} (pg-boss 10): install pg-boss@10 on every machine of the queue.`,
      "schema",
    );
  }
}

/** A job a worker holds: pg-boss's id and its attempt counter, which changes when another worker takes it. */
export interface HeldJob {
  id: string;
  retryCount: number;
}

/**
 * Extends the lease of the jobs this worker holds to `leaseSeconds` from now; returns the ids it
 * still holds. A job that is not returned was taken from it (its lease lapsed and another worker
 * has it, or it ended): its run should stop.
 */
export async function renewLeases(
  db: SqlClient,
  held: HeldJob[],
  leaseSeconds: number,
): Promise<Set<string>> {
  if (held.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `UPDATE ${JOB} j SET expire_in = (now() - j.started_on) + make_interval(secs => $4)
       FROM unnest($2::uuid[], $3::int[]) AS mine(id, retry_count)
      WHERE j.name = $1 AND j.id = mine.id AND j.retry_count = mine.retry_count AND j.state = 'active'
      RETURNING j.id`,
    [QUEUE_NAME, held.map((j) => j.id), held.map((j) => j.retryCount), leaseSeconds],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Puts jobs this worker holds back in the queue for another worker to take at once, without
 * counting the interrupted run as an attempt (pg-boss counts an attempt when it hands out a job
 * that has started before; this one is marked as never started). Returns how many went back.
 */
export async function handBack(db: SqlClient, held: HeldJob[], leaseSeconds: number): Promise<number> {
  if (held.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE ${JOB} j SET state = CASE WHEN j.retry_count > 0 THEN 'retry' ELSE 'created' END::${PG_BOSS_SCHEMA}.job_state,
            started_on = NULL, start_after = now(), expire_in = make_interval(secs => $4)
       FROM unnest($2::uuid[], $3::int[]) AS mine(id, retry_count)
      WHERE j.name = $1 AND j.id = mine.id AND j.retry_count = mine.retry_count AND j.state = 'active'`,
    [QUEUE_NAME, held.map((j) => j.id), held.map((j) => j.retryCount), leaseSeconds],
  );
  return rowCount ?? 0;
}

/** Jobs of the queue per pg-boss state: created, retry, active, completed, cancelled, failed. */
export async function jobStates(db: SqlClient): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; count: string }>(
    `SELECT state::text AS state, count(*) AS count FROM ${JOB} WHERE name = $1 GROUP BY state`,
    [QUEUE_NAME],
  );
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
}

/** A job that pg-boss failed for good without a result: its worker vanished on its last attempt. */
export interface UnrecordedFailure {
  id: string;
  data: unknown;
  message: string;
}

/**
 * Jobs of the catalogue (those a batch enqueued and may wait for) that ended failed in pg-boss
 * with no record in the results (at most `limit`); failed jobs that no batch enqueued, which have
 * no key to keep a record under, are left out, so that they never crowd these out.
 */
export async function unrecordedFailures(db: SqlClient, limit: number): Promise<UnrecordedFailure[]> {
  const { rows } = await db.query<{ id: string; data: unknown; message: string | null }>(
    `SELECT j.id, j.data, COALESCE(j.output->>'message', j.output->'value'->>'message') AS message
       FROM ${JOB} j
      WHERE j.name = $1 AND j.state = 'failed'
        AND EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}.jobs c WHERE c.job_id = j.id)
        AND NOT EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}.results r WHERE r.key = j.data->>'key')
      LIMIT $2`,
    [QUEUE_NAME, limit],
  );
  return rows.map((r) => ({ id: r.id, data: r.data, message: r.message ?? "the job failed" }));
}

/** How many jobs pg-boss holds as failed with no record yet (a status counts them as failed). */
export async function countUnrecordedFailures(db: SqlClient): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) AS count FROM ${JOB} j
      WHERE j.name = $1 AND j.state = 'failed'
        AND NOT EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}.results r WHERE r.key = j.data->>'key')`,
    [QUEUE_NAME],
  );
  return Number(rows[0]?.count ?? 0);
}

/** The keys, among these, whose pg-boss job has failed for good (with a record or not). */
export async function failedJobKeys(db: SqlClient, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ key: string }>(
    `SELECT data->>'key' AS key FROM ${JOB} WHERE name = $1 AND state = 'failed' AND data->>'key' = ANY($2::text[])`,
    [QUEUE_NAME, keys],
  );
  return rows.map((r) => r.key);
}
