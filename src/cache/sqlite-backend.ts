import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type BetterSqlite3 from "better-sqlite3";
import { TpoCacheError } from "../errors.js";
import { CACHE_FORMAT, META_TABLE, TABLE, type CacheBackend } from "./backend.js";
import type { CacheRow } from "./entry.js";

const SQLITE_HEADER = "SQLite format 3\u0000";

/** A file that is neither new, empty nor SQLite is refused before it is opened (and never written). */
function checkFileKind(path: string): void {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  if (stat.isDirectory()) throw new TpoCacheError(`--cache ${path} is a directory; name a file.`);
  if (stat.size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString("latin1") !== SQLITE_HEADER) {
    throw new TpoCacheError(
      `--cache ${path} is not a SQLite file; name a new file (or a cache file of an earlier run).`,
    );
  }
}

/**
 * Creates the tables in a new file; in an existing one, checks that it is a cache of this format.
 * A SQLite file of something else (a checkpoint file, say) is refused rather than written into.
 */
function setUp(db: BetterSqlite3.Database, path: string): void {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  ).map((t) => t.name);
  if (tables.length > 0 && !tables.includes(META_TABLE)) {
    throw new TpoCacheError(
      `--cache ${path} is a SQLite file of something else (tables ${tables.slice(0, 3).join(", ")}); name a file of its own.`,
    );
  }
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${META_TABLE} (name TEXT PRIMARY KEY, value TEXT NOT NULL);` +
      `CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, ` +
      `check_hash TEXT NOT NULL, created_at INTEGER NOT NULL);` +
      `CREATE INDEX IF NOT EXISTS ${TABLE}_created ON ${TABLE} (created_at);`,
  );
  db.prepare(`INSERT OR IGNORE INTO ${META_TABLE} (name, value) VALUES ('format', ?)`).run(CACHE_FORMAT);
  const format = (
    db.prepare(`SELECT value FROM ${META_TABLE} WHERE name = 'format'`).get() as { value: string }
  ).value;
  if (format !== CACHE_FORMAT) {
    throw new TpoCacheError(
      `--cache ${path} is a cache of format ${format}, made by another version of langgraph-tpo (this one reads ${CACHE_FORMAT}); name a new file.`,
    );
  }
}

/** The cache in a SQLite file: WAL, so that several processes (a batch and its shards) share it. */
export function openSqliteBackend(Database: typeof BetterSqlite3, path: string): CacheBackend {
  checkFileKind(path);
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new Database(path, { timeout: 10_000 });
    db.pragma("journal_mode = WAL");
    setUp(db, path);
  } catch (error) {
    db?.close();
    if (error instanceof TpoCacheError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TpoCacheError(`--cache ${path} cannot be opened as a cache (${reason}); name a new file.`, {
      cause: error,
    });
  }
  const open = db;
  const select = open.prepare(`SELECT value, check_hash AS "check" FROM ${TABLE} WHERE key = ?`);
  const insert = open.prepare(
    `INSERT OR REPLACE INTO ${TABLE} (key, kind, value, check_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const insertAll = open.transaction((rows: CacheRow[], now: number) => {
    for (const row of rows) insert.run(row.key, row.kind, row.value, row.check, now);
  });
  return {
    where: path,
    get: async (keys) => {
      const found = new Map<string, Pick<CacheRow, "value" | "check">>();
      for (const key of keys) {
        const row = select.get(key) as Pick<CacheRow, "value" | "check"> | undefined;
        if (row) found.set(key, row);
      }
      return found;
    },
    put: async (rows) => {
      if (rows.length > 0) insertAll(rows, Date.now());
    },
    prune: async (before) => {
      const deleted = open.prepare(`DELETE FROM ${TABLE} WHERE created_at < ?`).run(before).changes;
      if (deleted > 0) open.exec("VACUUM");
      return deleted;
    },
    count: async () =>
      Object.fromEntries(
        (
          open.prepare(`SELECT kind, COUNT(*) AS n FROM ${TABLE} GROUP BY kind`).all() as {
            kind: string;
            n: number;
          }[]
        ).map((r) => [r.kind, r.n]),
      ),
    close: async () => {
      open.close();
    },
  };
}
