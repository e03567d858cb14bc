import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { openQueue } from "../src/queue/connection.js";
import { startPostgres, type PostgresServer } from "./helpers/postgres.js";

// A real PostgreSQL server on a free port of 127.0.0.1 (Debian's packages, `.ci/run` installs them).
let server: PostgresServer | null = null;
let unavailable = "";

beforeAll(async () => {
  const started = await startPostgres();
  if ("unavailable" in started) {
    if (process.env.CI) throw new Error(`PostgreSQL tests cannot run under CI: ${started.unavailable}`);
    unavailable = `PostgreSQL tests skipped: ${started.unavailable}`;
    return;
  }
  server = started;
}, 120_000);

afterAll(() => server?.stop());

function needServer(ctx: TestContext): PostgresServer {
  if (!server) ctx.skip(unavailable);
  return server!;
}

describe("opening the queue", () => {
  it("sets up a fresh database once when several machines start at the same moment", async (ctx) => {
    const pg = needServer(ctx);
    // Two connections each, as `tpo queue status` opens it: the setup must not wait on itself.
    for (let round = 0; round < 6; round++) {
      const database = `fresh_${round}`;
      pg.createDatabase(database);
      const opened = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          openQueue(pg.url(database), { what: "tpo queue status", poolSize: 2 }),
        ),
      );
      await Promise.all(opened.map((o) => (o.status === "fulfilled" ? o.value.close() : undefined)));
      expect(opened.filter((o) => o.status === "rejected").map((o) => String(o.reason))).toEqual([]);
      expect(pg.query(database, "SELECT count(*) FROM tpo_queue.version").trim()).toBe("1");
    }
  }, 120_000);
});
