import type PgBoss from "pg-boss";
import { loadQueuePackages, type SqlClient, type SqlPool } from "./packages.js";
import type { ImportModule } from "../util/optional-module.js";
import { PG_BOSS_SCHEMA, QUEUE_NAME, ensureQueueSchema } from "./schema.js";
import { checkPgBossSchema } from "./pg-boss-sql.js";
import { queueErrorOf, reasonOf } from "./errors-of-pg.js";
import { redactUrls } from "../util/redact.js";
import { checkQueueUrl } from "./url.js";

/** pg-boss's way of running a statement: on the pool, or on one client inside a transaction. */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** An open connection to a queue: a pool for the queue's own statements and a started pg-boss. */
export interface QueueDb {
  /** The URL without its password, for messages. */
  where: string;
  pool: SqlPool;
  boss: PgBoss;
  /** Runs `work` in one transaction; pg-boss's calls join it through `db`. */
  transaction<T>(work: (client: SqlClient, db: BossDb) => Promise<T>): Promise<T>;
  /** Stops pg-boss and closes the pool. */
  close(): Promise<void>;
}

export interface OpenQueueOptions {
  /** Who opens it, for messages: "tpo worker", "tpo batch --queue". */
  what: string;
  /** Connections at most (default 4). */
  poolSize?: number;
  /**
   * Run pg-boss's maintenance this often (a worker does): it puts the jobs of workers whose lease
   * lapsed back in the queue. Unset: no maintenance (a waiting batch, the status command).
   */
  maintenanceSeconds?: number;
  /** A connection of the pool failed after the start (the server restarted, say). */
  onLostConnection?: (reason: string) => void;
  importModule?: ImportModule;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Runs the first-use setup under a session-wide advisory lock, so that machines starting at once
 * set up a fresh database one after another. pg-boss's own lock is taken inside its transaction,
 * after it found no tables: a second process then creates the schema again from a stale catalog
 * cache (PostgreSQL's "duplicate key … pg_namespace_nspname_index"), which pg-boss does not expect.
 * Creating the pg-boss queue must be inside too: pg-boss 10's `create_queue` takes no lock, and two
 * at once deadlock (one inserts the queue's row and then locks the queue table for the partition's
 * foreign key, while the other's insert of the same row waits for the first's transaction).
 */
async function whileSettingUp(pool: SqlPool, setUp: () => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('${PG_BOSS_SCHEMA}.first-use'))`);
    await setUp();
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext('${PG_BOSS_SCHEMA}.first-use'))`).catch(() => {});
    client.release();
  }
}

/**
 * Opens the queue at `url`: checks the URL, connects, creates the tables on first use (the
 * queue's and pg-boss's, safely when several machines start at once) and the pg-boss queue.
 * Every failure is a TpoQueueError whose message names the URL without its password.
 */
export async function openQueue(url: string, options: OpenQueueOptions): Promise<QueueDb> {
  const where = redactUrls(url);
  checkQueueUrl(url);
  const { PgBoss, Pool } = await loadQueuePackages(options.what, options.importModule);
  let pool: SqlPool;
  try {
    pool = new Pool({
      connectionString: url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: "tpo-queue",
    });
  } catch (error) {
    throw queueErrorOf(error, where);
  }
  let started = false;
  pool.on("error", (error) => {
    if (started) options.onLostConnection?.(reasonOf(error));
  });
  const db: BossDb = { executeSql: (text, values) => pool.query(text, values) };
  const boss = new PgBoss({
    db,
    schema: PG_BOSS_SCHEMA,
    supervise: options.maintenanceSeconds !== undefined,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? 120,
    schedule: false,
    migrate: true,
  });
  // pg-boss reports its own failures (a maintenance run against a lost connection) as events.
  boss.on("error", (error) => {
    if (started) options.onLostConnection?.(reasonOf(error));
  });
  try {
    await pool.query("SELECT 1");
    await whileSettingUp(pool, async () => {
      await ensureQueueSchema(pool);
      await boss.start();
      await checkPgBossSchema(boss);
      if (!(await boss.getQueue(QUEUE_NAME))) await boss.createQueue(QUEUE_NAME);
    });
  } catch (error) {
    await boss.stop({ graceful: false, close: false }).catch(() => {});
    await pool.end().catch(() => {});
    throw queueErrorOf(error, where);
  }
  started = true;
  const transaction = async <T>(work: (client: SqlClient, db: BossDb) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client, { executeSql: (text, values) => client.query(text, values) });
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    where,
    pool,
    boss,
    transaction,
    close: async () => {
      started = false;
      await boss.stop({ graceful: false, close: false, wait: true }).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
