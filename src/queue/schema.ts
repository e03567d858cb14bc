import { TpoQueueError } from "../errors.js";
import type { SqlClient, SqlPool } from "./packages.js";

/** Where the queue keeps its own tables: the job catalogue, the results, the workers. */
export const QUEUE_SCHEMA = "tpo_queue";
/** Where pg-boss keeps its tables (its own schema, apart from any other pg-boss in the database). */
export const PG_BOSS_SCHEMA = "tpo_pgboss";
/** The pg-boss queue that holds every job. */
export const QUEUE_NAME = "tpo";
/** The version of the tables below; a database set up by a newer version is refused. */
export const QUEUE_SCHEMA_VERSION = 1;

const S = QUEUE_SCHEMA;

/** Version 1: every statement runs once, in one transaction, under an advisory lock. */
const VERSION_1 = [
  // What was asked: one row per job key, with the job's data (a retry needs it once pg-boss has archived the job).
  `CREATE TABLE ${S}.jobs (
     key text PRIMARY KEY,
     job_id uuid NOT NULL,
     dataset text NOT NULL,
     item_id text NOT NULL,
     mode text NOT NULL,
     data jsonb NOT NULL,
     max_attempts int NOT NULL,
     retry_delay int NOT NULL,
     enqueued_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX jobs_dataset ON ${S}.jobs (dataset)`,
  // One record per job key: the record as the batch writes it (json keeps its text, key order included).
  `CREATE TABLE ${S}.results (
     key text PRIMARY KEY,
     ok boolean NOT NULL,
     record json NOT NULL,
     worker uuid,
     attempt int,
     finished_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX results_finished_at ON ${S}.results (finished_at)`,
  `CREATE TABLE ${S}.workers (
     id uuid PRIMARY KEY,
     host text NOT NULL,
     pid int NOT NULL,
     concurrency int NOT NULL,
     lease_seconds int NOT NULL,
     state text NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now(),
     heartbeat_at timestamptz NOT NULL DEFAULT now(),
     active int NOT NULL DEFAULT 0,
     done int NOT NULL DEFAULT 0,
     failed int NOT NULL DEFAULT 0
   )`,
];

async function versionOf(client: SqlClient): Promise<number | null> {
  const { rows } = await client.query<{ version: number }>(
    `SELECT max(version) AS version FROM ${S}.version`,
  );
  return rows[0]?.version ?? null;
}

function checkVersion(version: number): void {
  if (version > QUEUE_SCHEMA_VERSION) {
    throw new TpoQueueError(
      `the queue's tables (schema ${S}) are at version ${version}, newer than this langgraph-tpo knows ` +
        `(${QUEUE_SCHEMA_VERSION}): run the same langgraph-tpo version on every machine of the queue.`,
      "schema",
    );
  }
}

/**
 * Creates the queue's tables on first use. Several machines may start at once against a fresh
 * database: an advisory lock lets one create them while the others wait and then find them made.
 * A user without CREATE rights can use tables that exist already (nothing is created then).
 */
export async function ensureQueueSchema(pool: SqlPool): Promise<void> {
  try {
    const version = await versionOf(pool);
    if (version !== null && version >= QUEUE_SCHEMA_VERSION) return checkVersion(version);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "42P01" && code !== "3F000") throw error; // undefined_table, invalid_schema_name: not set up
  }
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('${S}.setup'))`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${S}.version (version int NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const version = (await versionOf(client)) ?? 0;
    checkVersion(version);
    if (version < 1) {
      for (const statement of VERSION_1) await client.query(statement);
      await client.query(`INSERT INTO ${S}.version (version) VALUES (1)`);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
