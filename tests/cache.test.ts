import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTpoCache, parseDuration } from "../src/cache/open-cache.js";
import type { TpoCache } from "../src/cache/tpo-cache.js";
import { TpoCacheError } from "../src/errors.js";
import { createTpoGraph } from "../src/graph/builder.js";
import type { RewardModel } from "../src/models/reward/reward-model.js";
import { createSimWorld } from "../src/sim/index.js";

const QUERY = "How do I keep basil alive on a windowsill?";
const MODELS = { policy: "sim-policy", critic: "sim-policy", reward: "sim-reward" };

/** Chat requests that reached the model (a cached one never does), by stage tag. */
class RequestCounter extends BaseCallbackHandler {
  name = "request-counter";
  chat = 0;
  byStage: Record<string, number> = {};
  override handleChatModelStart(
    _llm: unknown,
    _messages: unknown,
    _runId: string,
    _parent?: string,
    _extra?: unknown,
    tags?: string[],
  ): void {
    this.chat++;
    for (const tag of tags ?? [])
      if (tag.startsWith("tpo:") && !tag.includes("iteration"))
        this.byStage[tag] = (this.byStage[tag] ?? 0) + 1;
  }
}

/** The sim world, its reward model counting the responses it is asked to score. */
function countingWorld(): { world: ReturnType<typeof createSimWorld>; scored: () => number } {
  const world = createSimWorld(4);
  let scored = 0;
  const inner = world.rewardModel;
  const rewardModel: RewardModel = {
    name: "counted",
    score: (items) => {
      scored += items.length;
      return inner.score(items);
    },
  };
  return { world: { ...world, rewardModel } as typeof world, scored: () => scored };
}

/**
 * What a batch record keeps of a run, without what differs from run to run whatever the cache
 * does (timing) and what the cache answered; `serverCache` also drops the tokens a server read
 * from its prefix cache, which depend on the requests it saw before.
 */
function recordOf(state: Record<string, unknown>, { serverCache = false } = {}): unknown {
  const { best, history, pool, usage, stopReason, stoppedAt } = state;
  const dropped = ["nodeMs", "elapsedMs", "fromCache", ...(serverCache ? ["cachedPromptTokens"] : [])];
  return JSON.parse(
    JSON.stringify({ best, history, pool, usage, stopReason, stoppedAt }, (key, v: unknown) =>
      dropped.includes(key) ? undefined : v,
    ),
  );
}

let dir: string;
let cache: TpoCache | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tpo-cache-"));
});
afterEach(async () => {
  await cache?.close();
  cache = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  context: Record<string, unknown>,
  withCache: boolean,
): Promise<{
  state: Awaited<ReturnType<ReturnType<typeof createTpoGraph>["invoke"]>>;
  chat: RequestCounter;
  scored: number;
}> {
  const { world, scored } = countingWorld();
  const graph = createTpoGraph({ ...world, modelCache: withCache ? cache!.forModels(MODELS) : undefined });
  const chat = new RequestCounter();
  const state = await graph.invoke({ query: QUERY }, { context, callbacks: [chat] });
  return { state, chat, scored: scored() };
}

describe("the persistent cache", () => {
  it("answers a second run of a seeded query whole: no request, the same state, every request counted as cached", async () => {
    cache = await openTpoCache(join(dir, "cache.sqlite"));
    const first = await run({ seed: 7, depth: 2 }, true);
    expect(first.chat.chat).toBe(7);
    expect(first.scored).toBeGreaterThan(0);
    expect(first.state.usage.fromCache).toBeUndefined();
    const second = await run({ seed: 7, depth: 2 }, true);
    expect(second.chat.chat).toBe(0);
    expect(second.scored).toBe(0);
    expect(recordOf(second.state)).toEqual(recordOf(first.state));
    const { modelRequests, promptTokens, completionTokens, rewardRequests } = first.state.usage;
    expect(second.state.usage.fromCache).toMatchObject({
      modelRequests,
      promptTokens,
      completionTokens,
      rewardRequests,
    });
  });

  it("reuses what still applies when only the depth grows, and the deeper run ends as a fresh one does", async () => {
    cache = await openTpoCache(join(dir, "cache.sqlite"));
    const shallow = await run({ seed: 7, depth: 1 }, true);
    const deeper = await run({ seed: 7, depth: 3 }, true);
    const fresh = await run({ seed: 7, depth: 3 }, false);
    expect(deeper.chat.chat).toBe(fresh.chat.chat - shallow.chat.chat);
    expect(deeper.scored).toBe(fresh.scored - shallow.scored);
    expect(recordOf(deeper.state, { serverCache: true })).toEqual(
      recordOf(fresh.state, { serverCache: true }),
    );
  });

  it("never reuses a sample of an unseeded request, but does reuse its scores", async () => {
    cache = await openTpoCache(join(dir, "cache.sqlite"));
    const first = await run({ depth: 1 }, true);
    const second = await run({ depth: 1 }, true);
    expect(second.chat.chat).toBe(first.chat.chat);
    expect(second.state.usage.fromCache?.modelRequests).toBeUndefined();
  });

  it("sends one request for identical requests in flight at once (modes bon and tpo share their first samples)", async () => {
    cache = await openTpoCache(join(dir, "cache.sqlite"));
    const { world } = countingWorld();
    const graph = createTpoGraph({ ...world, modelCache: cache.forModels(MODELS) });
    const chat = new RequestCounter();
    const [bon, tpo] = await Promise.all(
      (["bon", "tpo"] as const).map((mode) =>
        graph.invoke({ query: QUERY }, { context: { seed: 3, depth: 1, mode }, callbacks: [chat] }),
      ),
    );
    expect(chat.byStage["tpo:generate"]).toBe(1);
    const firstSamples = (pool: typeof bon.pool) => pool.filter((c) => c.iteration === 0).map((c) => c.text);
    expect(firstSamples(bon.pool)).toEqual(firstSamples(tpo.pool));
    expect(firstSamples(bon.pool).length).toBeGreaterThan(0);
  });

  it("treats a row that fails its check as a miss: the score is asked again, never taken from the row, and the row mended", async () => {
    const path = join(dir, "cache.sqlite");
    cache = await openTpoCache(path);
    const first = await run({ seed: 5, depth: 0 }, true);
    await cache.close();
    const db = new Database(path);
    db.prepare("UPDATE tpo_cache SET value = '1000' WHERE kind = 'score'").run();
    db.close();
    cache = await openTpoCache(path);
    const second = await run({ seed: 5, depth: 0 }, true);
    expect(second.scored).toBe(first.scored);
    expect(second.state.best!.score).toBe(first.state.best!.score);
    expect(cache.stats.rejected).toBe(first.scored);
    // The rows are mended: a third run finds every score.
    expect((await run({ seed: 5, depth: 0 }, true)).scored).toBe(0);
  });

  it("refuses a file that is not a cache in one line, and leaves it as it was", async () => {
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "my notes\n");
    await expect(openTpoCache(notes)).rejects.toThrow(TpoCacheError);
    await expect(openTpoCache(notes)).rejects.toThrow(
      /^--cache .*notes\.txt is not a SQLite file; name a new file/,
    );

    const other = join(dir, "other.sqlite");
    const db = new Database(other);
    db.exec("CREATE TABLE checkpoints (id TEXT)");
    db.close();
    await expect(openTpoCache(other)).rejects.toThrow(
      /is a SQLite file of something else \(tables checkpoints\)/,
    );

    const damaged = join(dir, "damaged.sqlite");
    writeFileSync(damaged, Buffer.concat([Buffer.from("SQLite format 3\u0000"), Buffer.alloc(4000, 7)]));
    const error = await openTpoCache(damaged).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoCacheError);
    expect((error as Error).message).not.toContain("\n");
  });

  it("prunes the entries older than it is told", async () => {
    cache = await openTpoCache(join(dir, "cache.sqlite"));
    await run({ seed: 2, depth: 0 }, true);
    const counts = await cache.count();
    expect(counts).toEqual({ chat: 1, score: 5 });
    expect(await cache.prune(parseDuration("1h")!)).toBe(0);
    expect(await cache.prune(-1)).toBe(6);
    expect(await cache.count()).toEqual({});
  });

  it("reads durations in seconds, minutes, hours and days", () => {
    expect(parseDuration("45s")).toBe(45_000);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(parseDuration("12h")).toBe(43_200_000);
    expect(parseDuration("30d")).toBe(2_592_000_000);
    expect(parseDuration("30")).toBeUndefined();
    expect(parseDuration("d")).toBeUndefined();
  });
});
