import { createRequire } from "node:module";
import type PgBoss from "pg-boss";
import { TpoQueueError } from "../errors.js";
import { firstLineOf, importModule, isModuleNotFound, type ImportModule } from "../util/optional-module.js";

/** The engine of the queue: an optional peer dependency, loaded only by the commands that use it. */
export const PG_BOSS_PACKAGE = "pg-boss";
/** The versions this code is written against (its SQL reads pg-boss's tables of schema 24). */
export const PG_BOSS_RANGE = "10";

/** A query's answer, as pg gives it. */
export interface SqlResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

/** What the queue uses of pg's pool and clients (pg ships no types of its own). */
export interface SqlClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are typed by each query's caller
  query<Row = any>(text: string, values?: unknown[]): Promise<SqlResult<Row>>;
}

export interface PooledClient extends SqlClient {
  release(error?: Error | boolean): void;
}

export interface SqlPool extends SqlClient {
  connect(): Promise<PooledClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export interface QueuePackages {
  PgBoss: typeof PgBoss;
  Pool: new (config: Record<string, unknown>) => SqlPool;
}

/**
 * pg-boss, and the pg that pg-boss itself uses (resolved from pg-boss's folder, so that the
 * queue's own statements and pg-boss's share one driver, whatever else is installed). A missing
 * package is a TpoQueueError that says what to install; `what` names the command for the message.
 */
export async function loadQueuePackages(
  what: string,
  load: ImportModule = importModule,
): Promise<QueuePackages> {
  let loaded: unknown;
  try {
    loaded = await load(PG_BOSS_PACKAGE);
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    const message = firstLineOf(error);
    const install = `npm install ${PG_BOSS_PACKAGE}@${PG_BOSS_RANGE}`;
    throw new TpoQueueError(
      message.includes(`'${PG_BOSS_PACKAGE}'`)
        ? `${what} needs the package ${PG_BOSS_PACKAGE}, an optional dependency of langgraph-tpo that is not installed: ` +
            `run \`${install}\` where langgraph-tpo is installed (${message}).`
        : `${what}: ${PG_BOSS_PACKAGE} cannot load: ${message}. Reinstall it: \`${install}\`.`,
      "package",
      { cause: error },
    );
  }
  const PgBossClass = ((loaded as { default?: unknown }).default ?? loaded) as typeof PgBoss;
  const fromPgBoss = createRequire(createRequire(import.meta.url).resolve(PG_BOSS_PACKAGE));
  const pg = fromPgBoss("pg") as { Pool: QueuePackages["Pool"] };
  return { PgBoss: PgBossClass, Pool: pg.Pool };
}
