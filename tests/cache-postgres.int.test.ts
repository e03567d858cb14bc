import { afterAll, describe, expect, it } from "vitest";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { openTpoCache } from "../src/cache/open-cache.js";
import { TpoCacheError } from "../src/errors.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { createSimWorld } from "../src/sim/index.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killChildren, runCliInProcess, startCli } from "./helpers/cli.js";
import { usePostgres } from "./helpers/use-postgres.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv, useSimServer } from "./helpers/sim-http.js";

// A real PostgreSQL server from Debian's packages, started here on a free port of 127.0.0.1.
const needServer = usePostgres();

const sim = useSimServer();

afterAll(() => {
  killChildren();
});

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
    const server = needServer(context);
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

  it("never lets two workers both pay for the same score: one claims it, the other waits for it", async (context) => {
    const server = needServer(context);
    server.createDatabase("claims");
    const url = server.url("claims");
    const [a, b] = [await openTpoCache(url), await openTpoCache(url)];
    try {
      let scored = 0;
      const runOn = (cache: typeof a) => {
        const world = createSimWorld(2);
        const inner = world.rewardModel;
        // Slow enough that the two workers' reward steps overlap.
        const rewardModel = {
          name: "slow",
          score: async (items: Parameters<typeof inner.score>[0]) => {
            scored += items.length;
            await new Promise((resolve) => setTimeout(resolve, 300));
            return inner.score(items);
          },
        };
        const graph = createTpoGraph({ ...world, rewardModel, modelCache: cache.forModels(MODELS) });
        return graph.invoke({ query: "How do I descale a kettle?" }, { context: { seed: 4, depth: 1 } });
      };
      const [first, second] = await Promise.all([runOn(a), runOn(b)]);
      expect(second.pool).toEqual(first.pool);
      expect(scored).toBe(first.pool.length);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("refuses a database whose cache tables are of another format, in one line", async (context) => {
    const server = needServer(context);
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

  it("tpo worker --cache: jobs run again on the queue send no model request; tpo batch --queue refuses --cache", async (context) => {
    const server = needServer(context);
    server.createDatabase("queue_cache");
    const url = server.url("queue_cache");
    const dir = mkdtempSync(join(tmpdir(), "tpo-queue-cache-"));
    try {
      const input = join(dir, "prompts.json");
      writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 4)));
      const worker = startCli(["worker", url, "--concurrency", "2", "--cache", url], {
        env: simServerEnv(sim.server),
        timeoutMs: 400_000,
      });
      const modelRequests = () =>
        sim.server.stats.count("/v1/chat/completions") + sim.server.stats.count("/pooling");
      // Another data set name is another set of jobs: the queries run again, on the worker.
      const batch = (dataset: string) =>
        runCliInProcess(
          [
            "batch",
            input,
            "--queue",
            url,
            "--out",
            join(dir, `${dataset}.jsonl`),
            "--dataset",
            dataset,
            "--depth",
            "1",
            "--width",
            "2",
            "--seed",
            "5",
            "--quiet",
          ],
          { env: simServerEnv(sim.server), timeoutMs: 300_000 },
        );
      const first = await batch("first");
      expect(first.code, first.stderr).toBe(0);
      expect(modelRequests()).toBeGreaterThan(0);
      sim.server.stats.reset();
      const second = await batch("second");
      expect(second.code, second.stderr).toBe(0);
      expect(modelRequests()).toBe(0);
      const best = (name: string) =>
        readRecords(join(dir, `${name}.jsonl`))
          .map((r) => [r.id, r.best?.text])
          .sort();
      expect(best("second")).toEqual(best("first"));
      worker.child.kill("SIGTERM");
      const stopped = await worker.done;
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stderr).toMatch(/tpo worker: the cache answered \d+ model requests/);

      const refused = await runCliInProcess([
        "batch",
        input,
        "--queue",
        url,
        "--out",
        join(dir, "x.jsonl"),
        "--cache",
        "c.sqlite",
      ]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("--cache does not go with --queue: the workers send the requests");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});
