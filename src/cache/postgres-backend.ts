import { TpoCacheError } from "../errors.js";
import { redactUrls } from "../util/redact.js";
import { CACHE_FORMAT, CLAIMS_TABLE, META_TABLE, TABLE, type CacheBackend } from "./backend.js";
import type { CacheRow } from "./entry.js";

/** What the cache uses of pg's Pool. */
export interface PgPool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are typed where they are read
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export type PgPoolClass = new (config: Record<string, unknown>) => PgPool;

/** Creates the tables once, whoever comes first; a concurrent creation is no failure. */
async function setUp(pool: PgPool, where: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${META_TABLE} (name TEXT PRIMARY KEY, value TEXT NOT NULL);` +
          `CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, ` +
          `check_hash TEXT NOT NULL, created_at BIGINT NOT NULL);` +
          `CREATE INDEX IF NOT EXISTS ${TABLE}_created ON ${TABLE} (created_at);` +
          `CREATE TABLE IF NOT EXISTS ${CLAIMS_TABLE} (key TEXT PRIMARY KEY, claimed_at BIGINT NOT NULL);` +
          `INSERT INTO ${META_TABLE} (name, value) VALUES ('format', '${CACHE_FORMAT}') ON CONFLICT DO NOTHING;`,
      );
      break;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // 23505 unique_violation, 42P07 duplicate_table: another process created them at the same moment.
      if ((code !== "23505" && code !== "42P07") || attempt >= 5) throw error;
    }
  }
  const { rows } = await pool.query(`SELECT value FROM ${META_TABLE} WHERE name = 'format'`);
  const format = (rows[0] as { value?: string } | undefined)?.value;
  if (format !== CACHE_FORMAT) {
    throw new TpoCacheError(
      `--cache ${where} holds a cache of format ${format ?? "unknown"}, made by another version of langgraph-tpo ` +
        `(this one reads ${CACHE_FORMAT}); drop its tables ${TABLE} and ${META_TABLE}, or name another database.`,
    );
  }
}

/** The cache in a PostgreSQL database (the queue's works): tables tpo_cache and tpo_cache_meta. */
export async function openPostgresBackend(
  Pool: PgPoolClass,
  url: string,
  onLostConnection: (reason: string) => void,
): Promise<CacheBackend> {
  const where = redactUrls(url);
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on("error", (error) => onLostConnection(error.message));
  try {
    await setUp(pool, where);
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof TpoCacheError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TpoCacheError(
      `--cache ${where}: cannot set up the cache tables (${redactUrls(reason)}). ` +
        "Check that the server runs, that the database exists and that the user may create tables in it.",
      { cause: error },
    );
  }
  return {
    where,
    get: async (keys) => {
      const found = new Map<string, Pick<CacheRow, "value" | "check">>();
      if (keys.length === 0) return found;
      const { rows } = await pool.query(
        `SELECT key, value, check_hash AS "check" FROM ${TABLE} WHERE key = ANY($1::text[])`,
        [keys],
      );
      for (const row of rows as CacheRow[]) found.set(row.key, { value: row.value, check: row.check });
      return found;
    },
    put: async (given) => {
      // One row per key: a statement may not update the same row twice.
      const rows = [...new Map(given.map((r) => [r.key, r])).values()];
      if (rows.length === 0) return;
      await pool.query(
        `INSERT INTO ${TABLE} (key, kind, value, check_hash, created_at) ` +
          `SELECT k, kd, v, c, $5::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(k, kd, v, c) ` +
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value, check_hash = excluded.check_hash, created_at = excluded.created_at",
        [
          rows.map((r) => r.key),
          rows.map((r) => r.kind),
          rows.map((r) => r.value),
          rows.map((r) => r.check),
          Date.now(),
        ],
      );
    },
    // A claim row per key being scored: a concurrent claim of the same key waits for the first
    // one's insert and then finds it taken (unless older than staleMs: its process died). Keys in
    // one order, so that two claims of overlapping keys cannot deadlock.
    claim: async (keys, staleMs) => {
      const now = Date.now();
      const { rows } = await pool.query(
        `INSERT INTO ${CLAIMS_TABLE} (key, claimed_at) SELECT k, $2::bigint FROM unnest($1::text[]) AS t(k) ` +
          `ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at WHERE ${CLAIMS_TABLE}.claimed_at < $3 ` +
          "RETURNING key",
        [[...new Set(keys)].sort(), now, now - staleMs],
      );
      return new Set((rows as { key: string }[]).map((r) => r.key));
    },
    unclaim: async (keys) => {
      await pool.query(`DELETE FROM ${CLAIMS_TABLE} WHERE key = ANY($1::text[])`, [keys]);
    },
    prune: async (before) => {
      await pool.query(`DELETE FROM ${CLAIMS_TABLE} WHERE claimed_at < $1`, [before]);
      return (await pool.query(`DELETE FROM ${TABLE} WHERE created_at < $1`, [before])).rowCount ?? 0;
    },
    count: async () =>
      Object.fromEntries(
        (
          (await pool.query(`SELECT kind, COUNT(*)::int AS n FROM ${TABLE} GROUP BY kind`)).rows as {
            kind: string;
            n: number;
          }[]
        ).map((r) => [r.kind, r.n]),
      ),
    close: () => pool.end(),
  };
}
