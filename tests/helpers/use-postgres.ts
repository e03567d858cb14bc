import { afterAll, beforeAll, type TestContext } from "vitest";
import { startPostgres, type PostgresServer } from "./postgres.js";

/**
 * The PostgreSQL server of a test file: started before its first test, stopped after its last.
 * The function it returns gives the server to a test, or skips the test saying why when none could
 * start (never under CI, where `.ci/run` installs PostgreSQL: there the file fails instead).
 */
export function usePostgres(): (ctx: TestContext) => PostgresServer {
  let server: PostgresServer | null = null;
  let unavailable = "";
  beforeAll(async () => {
    const started = await startPostgres();
    if ("unavailable" in started) {
      if (process.env.CI)
        throw new Error(
          `PostgreSQL tests cannot run under CI, where .ci/run installs postgresql: ${started.unavailable}`,
        );
      unavailable = `PostgreSQL tests skipped: ${started.unavailable}`;
      process.stderr.write(`${unavailable}\n`);
      return;
    }
    server = started;
  }, 120_000);
  afterAll(() => server?.stop());
  return (ctx) => {
    if (!server) ctx.skip(unavailable);
    return server!;
  };
}
