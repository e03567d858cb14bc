import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { openTpoCache } from "../src/cache/open-cache.js";
import { TpoCacheError } from "../src/errors.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { createSimWorld } from "../src/sim/index.js";
import { startPostgres, type PostgresServer } from "./helpers/postgres.js";

// A real PostgreSQL server from Debian's packages, started here on a free port of 127.0.0.1.
let server: PostgresServer | null = null;
let unavailable = "";

beforeAll(async () => {
  const started = await startPostgres();
  if ("unavailable" in started) {
    if (process.env.CI) throw new Error(`PostgreSQL tests cannot run under CI: ${started.unavailable}`);
    unavailable = `PostgreSQL tests skipped: ${started.unavailable}`;
    process.stderr.write(`${unavailable}\n`);
    return;
  }
  server = started;
}, 120_000);

afterAll(() => server?.stop());

class ChatCounter extends BaseCallbackHandler {
  name = "chat-counter";
  count = 0;
  override handleChatModelStart(): void {
    this.count++;
  }
}

const MODELS = { policy: "sim", critic: "sim", reward: "sim-reward" };

describe("the cache in PostgreSQL", () => {
  it("is shared by two workers: what one paid for, the other reads", async (context) => {
    if (!server) return context.skip(unavailable);
    server.createDatabase("shared");
    const url = server.url("shared");
    const [a, b] = [await openTpoCache(url), await openTpoCache(url)];
    try {
      const runOn = async (cache: typeof a) => {
        const chat = new ChatCounter();
        const graph = createTpoGraph({ ...createSimWorld(1), modelCache: cache.forModels(MODELS) });
        const state = await graph.invoke(
          { query: "How do I fold a fitted sheet?" },
          { context: { seed: 9, depth: 1 }, callbacks: [chat] },
        );
        return { state, chat: chat.count };
      };
      const first = await runOn(a);
      const second = await runOn(b);
      expect(first.chat).toBeGreaterThan(0);
      expect(second.chat).toBe(0);
      expect(second.state.best).toEqual(first.state.best);
      expect(b.stats.misses).toBe(0);
      expect(await b.count()).toEqual(await a.count());
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("refuses a database whose cache tables are of another format, in one line", async (context) => {
    if (!server) return context.skip(unavailable);
    server.createDatabase("newer");
    server.query(
      "newer",
      "CREATE TABLE tpo_cache_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO tpo_cache_meta VALUES ('format', '99');",
    );
    const error = await openTpoCache(server.url("newer")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoCacheError);
    expect((error as Error).message).toMatch(/holds a cache of format 99, made by another version/);
    expect((error as Error).message).not.toContain("\n");
  });
});
