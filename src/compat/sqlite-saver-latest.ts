/**
 * SqliteSaver (@langchain/langgraph-checkpoint-sqlite) keeps every checkpoint of a thread, each
 * holding the whole state. A TPO run's pool grows with every iteration, so one query's file grows
 * with the square of its depth (width 64, depth 100 in the simulated world: about 1 GB). A resume
 * reads only a thread's latest checkpoint and its pending writes; this keeps only those, deleting
 * the superseded ones of the same thread as each new one is saved. It relies on what the package
 * does not promise: the saver's `db` (better-sqlite3) and its tables `checkpoints` and `writes`,
 * keyed by thread_id, checkpoint_ns and checkpoint_id.
 *
 * Pinned by tests/compat-sqlite-saver-latest.test.ts.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";

interface SqliteDb {
  prepare(sql: string): { run(...args: unknown[]): unknown };
  transaction(work: () => void): () => void;
}

/** Makes `saver` (a SqliteSaver) keep each thread's latest checkpoint only; returns it. */
export function keepLatestCheckpointOnly<T extends BaseCheckpointSaver>(saver: T): T {
  const db = (saver as unknown as { db?: SqliteDb }).db;
  if (typeof db?.prepare !== "function" || typeof db.transaction !== "function") {
    throw new Error(
      "SqliteSaver keeps no better-sqlite3 database in `db` any more: update src/compat/sqlite-saver-latest.ts.",
    );
  }
  const put = saver.put.bind(saver);
  saver.put = async (config, checkpoint, metadata, versions) => {
    const saved = await put(config, checkpoint, metadata, versions);
    const { thread_id, checkpoint_ns = "", checkpoint_id } = saved.configurable ?? {};
    const others = (table: string) =>
      db
        .prepare(`DELETE FROM ${table} WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id <> ?`)
        .run(thread_id, checkpoint_ns, checkpoint_id);
    db.transaction(() => {
      others("checkpoints");
      others("writes");
    })();
    return saved;
  };
  return saver;
}
