import type { z } from "zod";
import type { SqlClient } from "./packages.js";
import { QUEUE_SCHEMA } from "./schema.js";
import { zodIssues } from "../util/zod-issues.js";

/** A job's record, as the queue keeps it: one per job key. */
export interface StoredResult<R> {
  key: string;
  ok: boolean;
  record: R;
}

/**
 * The shape of the records the queue carries (the batch's record schema): the queue keeps them
 * whole without knowing their fields, and checks each one with it where it comes in (a run's
 * outcome) and where it goes out (read back by a batch).
 */
export type RecordSchema<R> = z.ZodType<R>;

/** A kept record that does not fit the schema: written by a worker of another version. */
export interface UnreadableResult {
  key: string;
  ok: boolean;
  record: null;
  /** What does not fit, in one line. */
  unreadable: string;
}

export type ReadResult<R> = StoredResult<R> | UnreadableResult;

const RESULTS = `${QUEUE_SCHEMA}.results`;

/** A record checked with the schema: its value, or what does not fit, in one line. */
export function checkRecord<R>(schema: RecordSchema<R>, value: unknown): { record: R } | { misfit: string } {
  const checked = schema.safeParse(value);
  if (checked.success) return { record: checked.data };
  return { misfit: zodIssues(checked.error) ?? checked.error.message };
}

/** A row of the results as read back: its record checked with the schema. */
function readResult<R>(schema: RecordSchema<R>, row: StoredResult<unknown>): ReadResult<R> {
  const checked = checkRecord(schema, row.record);
  return "record" in checked
    ? { ...row, record: checked.record }
    : { ...row, record: null, unreadable: checked.misfit };
}

/**
 * Keeps a job's record, keyed by its job key; the first record wins, so a job that ran twice (a
 * worker thought dead finished late) still has one. A success replaces a failure (a retried job),
 * never the other way. Returns whether this record was kept.
 */
export async function saveResult<R>(
  db: SqlClient,
  result: StoredResult<R> & { worker: string; attempt: number },
): Promise<boolean> {
  const values = [result.key, result.ok, JSON.stringify(result.record), result.worker, result.attempt];
  const { rowCount } = await db.query(
    result.ok
      ? `INSERT INTO ${RESULTS} AS r (key, ok, record, worker, attempt) VALUES ($1, $2, $3::json, $4, $5)
         ON CONFLICT (key) DO UPDATE SET ok = true, record = EXCLUDED.record, worker = EXCLUDED.worker,
           attempt = EXCLUDED.attempt, finished_at = now()
         WHERE NOT r.ok`
      : `INSERT INTO ${RESULTS} (key, ok, record, worker, attempt) VALUES ($1, $2, $3::json, $4, $5)
         ON CONFLICT (key) DO NOTHING`,
    values,
  );
  return (rowCount ?? 0) > 0;
}

const CHUNK = 1000;

/** The records of these keys that exist. */
export async function resultsOf<R>(
  db: SqlClient,
  schema: RecordSchema<R>,
  keys: string[],
): Promise<ReadResult<R>[]> {
  const found: ReadResult<R>[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const { rows } = await db.query<StoredResult<unknown>>(
      `SELECT key, ok, record FROM ${RESULTS} WHERE key = ANY($1::text[])`,
      [keys.slice(i, i + CHUNK)],
    );
    found.push(...rows.map((row) => readResult(schema, row)));
  }
  return found;
}

/**
 * Records kept since `since` (the database's clock) but those of the keys in `seen`, each with when
 * it was kept, and the database's time now, to ask from next time. A write that started before
 * `since` and ended after it is caught by asking again with a margin: the caller names what it
 * has read in that margin, so that no record is sent twice.
 */
export async function resultsSince<R>(
  db: SqlClient,
  schema: RecordSchema<R>,
  since: Date,
  seen: string[],
): Promise<{ results: (ReadResult<R> & { finishedAt: Date })[]; now: Date }> {
  const { rows } = await db.query<{ now: Date }>("SELECT now() AS now");
  const { rows: results } = await db.query<StoredResult<unknown> & { finishedAt: Date }>(
    `SELECT key, ok, record, finished_at AS "finishedAt" FROM ${RESULTS}
      WHERE finished_at >= $1 AND key <> ALL($2::text[])`,
    [since, seen],
  );
  return {
    results: results.map((row) => ({ ...readResult(schema, row), finishedAt: row.finishedAt })),
    now: rows[0].now,
  };
}

/**
 * Every record of the batches' jobs, of one data set or all, in the order the jobs finished. Judge
 * jobs' rows are not records: `tpo eval … --queue` collects them into its judged file.
 */
export async function allResults<R>(
  db: SqlClient,
  schema: RecordSchema<R>,
  dataset?: string,
): Promise<ReadResult<R>[]> {
  const { rows } = await db.query<StoredResult<unknown>>(
    `SELECT r.key, r.ok, r.record FROM ${RESULTS} r JOIN ${QUEUE_SCHEMA}.jobs j ON j.key = r.key
      WHERE ($1::text IS NULL OR j.dataset = $1) AND j.mode <> 'judge'
      ORDER BY r.finished_at, r.key`,
    [dataset ?? null],
  );
  return rows.map((row) => readResult(schema, row));
}
