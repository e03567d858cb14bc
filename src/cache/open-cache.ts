import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { TpoCacheError } from "../errors.js";
import { redactUrls } from "../util/redact.js";
import { openPostgresBackend, type PgPoolClass } from "./postgres-backend.js";
import { openSqliteBackend } from "./sqlite-backend.js";
import { TpoCache } from "./tpo-cache.js";

/** Loads a module by name; a parameter so that a test can stand in for a missing package. */
export type ImportModule = (name: string) => Promise<unknown>;

const importModule: ImportModule = (name) => import(name);

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}

/**
 * better-sqlite3 (which @langchain/langgraph-checkpoint-sqlite brings) or pg (which pg-boss
 * brings): optional, loaded only for a cache of their kind. pg is also looked for beside pg-boss,
 * where a strict installer (pnpm) keeps it.
 */
async function loadPackage(name: string, from: string, what: string, load: ImportModule): Promise<unknown> {
  try {
    return await load(name);
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    try {
      const require = createRequire(import.meta.url);
      return createRequire(require.resolve(from))(name);
    } catch {
      // reported below
    }
    throw new TpoCacheError(
      `${what} needs the package ${name} (it comes with ${from}), which is not installed: ` +
        `run \`npm install ${name}\` where langgraph-tpo is installed.`,
      { cause: error },
    );
  }
}

const isPostgresUrl = (text: string) => /^postgres(ql)?:\/\//i.test(text);

function defaultOf<T>(module: unknown): T {
  return ((module as { default?: unknown }).default ?? module) as T;
}

/**
 * Opens the persistent cache of responses and scores at `target`: a `postgres://` URL (the queue's
 * database works) or a SQLite file, created when missing. A target that is not a cache (another
 * program's file, a damaged one, a newer format) is one TpoCacheError; nothing is written to it.
 */
export async function openTpoCache(
  target: string,
  options: {
    importModule?: ImportModule;
    /** A lookup or write failed, or a PostgreSQL connection was lost: said once; the run goes on. */
    onProblem?: (message: string) => void;
  } = {},
): Promise<TpoCache> {
  const load = options.importModule ?? importModule;
  if (isPostgresUrl(target)) {
    const where = `--cache ${redactUrls(target)}`;
    const pg = defaultOf<{ Pool: PgPoolClass }>(await loadPackage("pg", "pg-boss", where, load));
    let lost = false;
    const backend = await openPostgresBackend(pg.Pool, target, (reason) => {
      if (lost) return;
      lost = true;
      options.onProblem?.(
        `a connection of the cache ${redactUrls(target)} was lost (${reason}); later lookups open a new one.`,
      );
    });
    return new TpoCache(backend, options.onProblem);
  }
  const Database = defaultOf<typeof BetterSqlite3>(
    await loadPackage("better-sqlite3", "@langchain/langgraph-checkpoint-sqlite", `--cache ${target}`, load),
  );
  return new TpoCache(openSqliteBackend(Database, target), options.onProblem);
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as "30d", "12h", "90m" or "45s", in ms; undefined when it does not parse. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]] : undefined;
}
