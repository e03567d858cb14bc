import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { postgresSaverPool } from "../compat/postgres-saver-pool.js";
import { keepLatestCheckpointOnly } from "../compat/sqlite-saver-latest.js";
import { redactUrls } from "../http/redact.js";
import type { TpoMode } from "../settings/run-settings.js";
import { TpoCheckpointError, TpoConfigError } from "../errors.js";
import { isPostgresUrl } from "../util/postgres-url.js";
import { firstLineOf, importModule, isModuleNotFound, type ImportModule } from "../util/optional-module.js";

/**
 * Where `tpo batch --checkpoint` saves every finished node of every query: a SQLite file, or a
 * PostgreSQL database. Both savers are optional peer dependencies, loaded only when asked for.
 */
export interface BatchCheckpointer {
  saver: BaseCheckpointSaver;
  /** What the checkpoints are in, for messages: the file path, or the URL without its password. */
  where: string;
  /** Closes the file or the connection pool; the batch calls it once, when it ends. */
  close(): Promise<void>;
}

/**
 * Deletes a thread's checkpoints once its record is kept: the record holds the run's result, and
 * checkpoints take many times its size. A failure to delete them costs space, not results: it is
 * handed to `said` once.
 */
export function checkpointForgetter(
  checkpointer: BatchCheckpointer,
  said: (reason: string) => void,
): (threadId: string) => Promise<void> {
  let failed = false;
  return async (threadId) => {
    try {
      await checkpointer.saver.deleteThread(threadId);
    } catch (error) {
      if (failed) return;
      failed = true;
      said((error as Error).message ?? String(error));
    }
  };
}

const SQLITE_PACKAGE = "@langchain/langgraph-checkpoint-sqlite";
const POSTGRES_PACKAGE = "@langchain/langgraph-checkpoint-postgres";

/**
 * Refuses a PostgreSQL URL that does not parse as one, up front: a user name or password with
 * "/", "?" or "#" ends the URL's host part early, and the driver would then try another host.
 */
function checkPostgresUrl(url: string): void {
  const where = redactUrls(url);
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const at = rest.lastIndexOf("@");
  const hint =
    'percent-encode the user name and password ("/" is %2F, "?" %3F, "#" %23, "@" %40; encodeURIComponent does it)';
  if (at >= 0 && /[/?#]/.test(rest.slice(0, at))) {
    throw new TpoConfigError(
      `--checkpoint ${where} is not a valid URL: its user name or password holds "/", "?" or "#"; ${hint}.`,
    );
  }
  try {
    new URL(url);
  } catch {
    throw new TpoConfigError(
      `--checkpoint ${where} is not a valid URL (postgres://user:password@host:5432/database); ${hint}.`,
    );
  }
}

const SQLITE_HEADER = "SQLite format 3\u0000";

/**
 * Checks `--checkpoint <file>` before anything runs: a SQLite file, an empty file, or a new one.
 * Anything else (notes, a results file, a folder) is one usage error, rather than a failure of
 * every query against it.
 */
export function checkCheckpointFile(target: string): void {
  if (isPostgresUrl(target) || !existsSync(target)) return;
  const stat = statSync(target);
  if (stat.isDirectory())
    throw new TpoConfigError(`--checkpoint ${target} is a directory; name a SQLite file.`);
  if (stat.size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(target, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString("latin1") !== SQLITE_HEADER) {
    throw new TpoConfigError(
      `--checkpoint ${target} is not a SQLite file; name a new file (or a checkpoint file of an earlier batch).`,
    );
  }
}

/** An error's message; a connection refused on every address of a host (an AggregateError) lists each. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map((e: unknown) => reasonOf(e)))].join("; ");
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

async function loadSaverPackage<T>(name: string, flag: string, load: ImportModule): Promise<T> {
  try {
    return (await load(name)) as T;
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    const message = firstLineOf(error);
    if (!message.includes(`'${name}'`)) {
      // The saver is there but something it needs is not (better-sqlite3, pg).
      throw new TpoConfigError(
        `${flag}: ${name} cannot load: ${message}. Reinstall it: \`npm install ${name}\`.`,
      );
    }
    const detail = ` (${message})`;
    throw new TpoConfigError(
      `${flag} needs the package ${name}, an optional dependency of langgraph-tpo that is not installed: ` +
        `run \`npm install ${name}\` where langgraph-tpo is installed${detail}.`,
    );
  }
}

async function openSqlite(path: string, load: ImportModule): Promise<BatchCheckpointer> {
  checkCheckpointFile(path);
  const { SqliteSaver } = await loadSaverPackage<typeof import("@langchain/langgraph-checkpoint-sqlite")>(
    SQLITE_PACKAGE,
    `--checkpoint ${path}`,
    load,
  );
  let saver;
  try {
    saver = keepLatestCheckpointOnly(SqliteSaver.fromConnString(path));
  } catch (error) {
    const reason = reasonOf(error);
    throw new TpoConfigError(`--checkpoint ${path}: cannot open it as a SQLite file: ${reason}`);
  }
  return {
    saver,
    where: path,
    close: async () => {
      saver.db.close();
    },
  };
}

/**
 * Creates the checkpoint tables when they are missing. Shards of one batch may start against the
 * same fresh database at once; the saver's migrations then collide, and a second try finds them done.
 */
async function setUpWithRetry(saver: { setup(): Promise<void> }, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await saver.setup();
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // 23505 unique_violation, 42P07 duplicate_table, 42710 duplicate_object: a concurrent setup won.
      const collided = code === "23505" || code === "42P07" || code === "42710";
      if (!collided || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/** What to do when a PostgreSQL connection is lost (the server restarted, say). */
interface LostConnection {
  /** Called each time, with the reason. */
  onLostConnection?: (reason: string) => void;
  /** Without onLostConnection: where the loss is said, once (`tpo batch`: its standard error). */
  warn?: (line: string) => void;
}

/**
 * An idle connection of the saver's pool that the server ends (a restart, an administrator, a
 * network cut) makes the pool emit "error"; unheard, that would crash the batch. The pool drops the
 * connection and opens a new one for the next checkpoint, so a warning is enough: once per batch.
 */
export function warnOnLostConnections(saver: object, where: string, onLost: LostConnection): void {
  const pool = postgresSaverPool(saver);
  let warned = false;
  const lost = (error: Error) => {
    if (onLost.onLostConnection) return onLost.onLostConnection(reasonOf(error));
    if (warned) return;
    warned = true;
    onLost.warn?.(
      `tpo batch: a PostgreSQL connection of --checkpoint ${where} was lost (${reasonOf(error)}); ` +
        "later checkpoints open a new one.",
    );
  };
  pool?.on("error", lost);
  // A connection lost while the saver holds it (between two queries of a write) emits on the
  // client, not the pool: heard here; the write is tried again (retryOnLostConnection).
  pool?.on("connect", (client) => client.on("error", lost));
}

/**
 * Whether a PostgreSQL call failed because its connection ended (the server restarted, an
 * administrator ended it, the network cut it): SQLSTATE class 08 and 57P01–57P03, or node-postgres's
 * own words when the socket closes first.
 */
function isLostConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (code.startsWith("08") || /^57P0[123]$/.test(code))) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|terminating connection|ECONNRESET/i.test(message);
}

const SAVER_CALLS_TO_RETRY = ["getTuple", "put", "putWrites", "deleteThread"] as const;

/**
 * Makes the saver's reads and writes try again, on a new connection, when the one they held was
 * lost: each runs in a transaction the server rolls back when it ends the connection, so a second
 * try leaves one checkpoint, and the query goes on instead of failing. Three tries at most.
 */
export function retryOnLostConnection<
  T extends Record<(typeof SAVER_CALLS_TO_RETRY)[number], (...args: never[]) => Promise<unknown>>,
>(saver: T, tries = 3): T {
  for (const name of SAVER_CALLS_TO_RETRY) {
    const call = (saver[name] as (...args: unknown[]) => Promise<unknown>).bind(saver);
    (saver as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call(...args);
        } catch (error) {
          if (!isLostConnection(error) || attempt >= tries) throw error;
        }
      }
    };
  }
  return saver;
}

async function openPostgres(
  url: string,
  load: ImportModule,
  onLost: LostConnection,
): Promise<BatchCheckpointer> {
  checkPostgresUrl(url);
  const where = redactUrls(url);
  const { PostgresSaver } = await loadSaverPackage<typeof import("@langchain/langgraph-checkpoint-postgres")>(
    POSTGRES_PACKAGE,
    `--checkpoint ${where}`,
    load,
  );
  let saver;
  try {
    saver = PostgresSaver.fromConnString(url);
  } catch (error) {
    const reason = reasonOf(error);
    throw new TpoConfigError(`--checkpoint ${where} is not a PostgreSQL connection URL: ${reason}`);
  }
  warnOnLostConnections(saver, where, onLost);
  retryOnLostConnection(saver);
  try {
    await setUpWithRetry(saver);
  } catch (error) {
    await saver.end().catch(() => {});
    throw new TpoCheckpointError(
      `--checkpoint ${where}: cannot set up the checkpoint tables in PostgreSQL: ${reasonOf(error)}. ` +
        "Check that the server runs, that the database exists and that the user may create tables in it.",
      { cause: error },
    );
  }
  return { saver, where, close: () => saver.end() };
}

/**
 * Opens LangGraph's checkpointer for `--checkpoint <target>`: a `postgres://` or `postgresql://`
 * URL opens the Postgres saver (its tables are created on first use), anything else is a SQLite
 * file. The saver's package is imported only here, so a user who never checkpoints never needs it.
 */
export async function openCheckpointer(
  target: string,
  options: { importModule?: ImportModule } & LostConnection = {},
): Promise<BatchCheckpointer> {
  const load = options.importModule ?? importModule;
  return isPostgresUrl(target) ? openPostgres(target, load, options) : openSqlite(target, load);
}

/** One thread per query and mode, so that a query resumes its own run and no other. */
export function threadIdOf(id: string, mode: TpoMode): string {
  return `tpo-batch:${mode}:${id}`;
}
