import type { SqlClient } from "./packages.js";
import { QUEUE_SCHEMA } from "./schema.js";

/** A job's record, as the queue keeps it: one per job key. */
export interface StoredResult {
  key: string;
  ok: boolean;
  record: Record<string, unknown>;
}

const RESULTS = `${QUEUE_SCHEMA}.results`;

/**
 * Keeps a job's record, keyed by its job key; the first record wins, so a job that ran twice (a
 * worker thought dead finished late) still has one. A success replaces a failure (a retried job),
 * never the other way. Returns whether this record was kept.
 */
export async function saveResult(
  db: SqlClient,
  result: StoredResult & { worker: string; attempt: number },
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
export async function resultsOf(db: SqlClient, keys: string[]): Promise<StoredResult[]> {
  const found: StoredResult[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const { rows } = await db.query<StoredResult>(
      `SELECT key, ok, record FROM ${RESULTS} WHERE key = ANY($1::text[])`,
      [keys.slice(i, i + CHUNK)],
    );
    found.push(...rows);
  }
  return found;
}

/**
 * Records kept since `since` (the database's clock) but those of the keys in `seen`, each with when
 * it was kept, and the database's time now, to ask from next time. A write that started before
 * `since` and ended after it is caught by asking again with a margin: the caller names what it
 * has read in that margin, so that no record is sent twice.
 */
export async function resultsSince(
  db: SqlClient,
  since: Date,
  seen: string[],
): Promise<{ results: (StoredResult & { finishedAt: Date })[]; now: Date }> {
  const { rows } = await db.query<{ now: Date }>("SELECT now() AS now");
  const { rows: results } = await db.query<StoredResult & { finishedAt: Date }>(
    `SELECT key, ok, record, finished_at AS "finishedAt" FROM ${RESULTS}
      WHERE finished_at >= $1 AND key <> ALL($2::text[])`,
    [since, seen],
  );
  return { results, now: rows[0].now };
}

/** Every record, of one data set or all, in the order the jobs finished. */
export async function allResults(db: SqlClient, dataset?: string): Promise<StoredResult[]> {
  const { rows } = await db.query<StoredResult>(
    `SELECT r.key, r.ok, r.record FROM ${RESULTS} r JOIN ${QUEUE_SCHEMA}.jobs j ON j.key = r.key
      WHERE $1::text IS NULL OR j.dataset = $1
      ORDER BY r.finished_at, r.key`,
    [dataset ?? null],
  );
  return rows;
}
