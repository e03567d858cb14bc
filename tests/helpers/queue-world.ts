import { afterEach, type TestContext } from "vitest";
import type { SimServer } from "../../src/sim/server.js";
import { killChildren, removeTempDirs } from "./cli.js";
import type { PostgresServer } from "./postgres.js";
import { usePostgres } from "./use-postgres.js";
import { useSimServer } from "./sim-http.js";

/** What the queue's integration tests share: a PostgreSQL server and, when asked for, the simulated world. */
export interface QueueWorld {
  /** The PostgreSQL server; the test is skipped, saying why, when none could start (never under CI). */
  postgres(ctx: TestContext): PostgresServer;
  /** A new database of that server for one test, and its URL. */
  database(ctx: TestContext, name: string): { pg: PostgresServer; url: string };
  /** The simulated world over HTTP (with `{ sim: true }`): read it inside tests and hooks. */
  readonly sim: SimServer;
}

/**
 * A throwaway PostgreSQL server on a free port of 127.0.0.1 (Debian's packages; `.ci/run`
 * installs them) for the tests of a file, with the simulated world when `sim` (see
 * useSimServer): started before the first test, stopped after the last. After each test the
 * processes and temporary folders it started are gone and the simulated world is as it began.
 */
export function useQueueWorld(options: { sim?: boolean } = {}): QueueWorld {
  const simulated = options.sim ? useSimServer() : null;
  const postgres = usePostgres();
  afterEach(() => {
    killChildren();
    removeTempDirs();
  });
  return {
    postgres,
    database(ctx, name) {
      const pg = postgres(ctx);
      pg.createDatabase(name);
      return { pg, url: pg.url(name) };
    },
    get sim(): SimServer {
      if (!simulated) throw new Error("useQueueWorld({ sim: true }) gives the simulated world.");
      return simulated.server;
    },
  };
}
