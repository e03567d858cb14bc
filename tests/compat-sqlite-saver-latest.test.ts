import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openCheckpointer } from "../src/run/checkpoint.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { runTpoToEnd } from "../src/run/index.js";
import { parseTpoContext } from "../src/settings/run-settings.js";
import { SimChatModel, SimRewardModel } from "../src/sim/index.js";

/**
 * What src/compat/sqlite-saver-latest.ts relies on in @langchain/langgraph-checkpoint-sqlite: the
 * saver's `db` (better-sqlite3) with the tables `checkpoints` and `writes`, keyed by thread_id,
 * checkpoint_ns and checkpoint_id. A failure here means that the package changed this internal.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Db = { prepare(sql: string): { get(...args: unknown[]): unknown } };

function rowsOf(db: Db, table: "checkpoints" | "writes", thread: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE thread_id = ?`).get(thread) as { n: number })
    .n;
}

describe("the SQLite checkpoint of a query, as tpo batch --checkpoint FILE keeps it", () => {
  it("holds the thread's latest checkpoint only, so that its size does not grow with the square of the depth", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tpo-sqlite-latest-"));
    dirs.push(dir);
    const checkpointer = await openCheckpointer(join(dir, "checkpoints.sqlite"));
    try {
      const policy = new SimChatModel({ seed: 3 });
      const graph = createTpoGraph({
        policy,
        critic: policy,
        rewardModel: new SimRewardModel(3),
        checkpointer: checkpointer.saver,
      });
      const context = parseTpoContext({ width: 4, depth: 5 });
      const run = (threadId: string) =>
        runTpoToEnd(graph, { query: "How do I keep basil alive indoors?" }, { context, threadId });
      const { state } = await run("t1");
      expect(state.best).not.toBeNull();
      const db = (checkpointer.saver as unknown as { db: Db }).db;
      expect(rowsOf(db, "checkpoints", "t1")).toBe(1);
      // The one kept is the finished run's last, with its answer.
      const tuple = await checkpointer.saver.getTuple({ configurable: { thread_id: "t1" } });
      expect(tuple?.checkpoint.channel_values).toMatchObject({ best: { text: state.best!.text } });
      // Another thread keeps its own.
      await run("t2");
      expect(rowsOf(db, "checkpoints", "t1")).toBe(1);
      expect(rowsOf(db, "checkpoints", "t2")).toBe(1);
    } finally {
      await checkpointer.close();
    }
  });
});
