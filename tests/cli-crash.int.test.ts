import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { KILLED_BATCH, killMidBatchAndResume } from "./helpers/kill-mid-batch.js";
import { readRecords } from "./helpers/records.js";
import { useSimServer } from "./helpers/sim-http.js";

// The batch runs against the simulated world over HTTP, as against real servers.
const sim = useSimServer();

afterEach(() => {
  killChildren();
  removeTempDirs();
});

/**
 * Query ids whose thread has got past its first model calls: at least `steps` checkpoints saved. The
 * file keeps a thread's latest checkpoint only; its step counts them (LangGraph's steps start at -1).
 */
function checkpointedIds(path: string, steps: number): string[] {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db
      .prepare(
        "SELECT thread_id FROM checkpoints GROUP BY thread_id " +
          "HAVING max(json_extract(CAST(metadata AS TEXT), '$.step')) >= ?",
      )
      .all(steps - 2) as { thread_id: string }[];
    return rows.map((r) => r.thread_id.split(":").slice(2).join(":"));
  } catch {
    return []; // not created yet
  } finally {
    db?.close();
  }
}

describe("a batch killed with SIGKILL", () => {
  it("resumes from its checkpoints: every query once, and fewer model requests than a fresh run", async () => {
    const checkpoint = join(tempDir(), "checkpoints.sqlite");
    const { input, env, beforeResume, records, dir } = await killMidBatchAndResume(
      sim.server,
      checkpoint,
      (steps) => checkpointedIds(checkpoint, steps),
    );

    const afterKill = records.slice(beforeResume.length);
    const continued = afterKill.filter((r) => r.resumedFrom);
    expect(continued.length).toBeGreaterThan(0);
    // A query caught after its first steps did not redo them.
    expect(continued.some((r) => r.resumedFrom!.modelRequests > 0)).toBe(true);
    const requestsOfResume = afterKill.reduce(
      (s, r) => s + r.usage!.modelRequests - (r.resumedFrom?.modelRequests ?? 0),
      0,
    );

    const freshOut = join(dir, "fresh.jsonl");
    const depth = String(KILLED_BATCH.depth);
    const fresh = await runCliInProcess(["batch", input, "--out", freshOut, "--depth", depth, "--quiet"], {
      env,
    });
    expect(fresh.code).toBe(0);
    const requestsOfFresh = readRecords(freshOut).reduce((s, r) => s + r.usage!.modelRequests, 0);
    expect(requestsOfResume).toBeLessThan(requestsOfFresh);
    // Whatever was resumed, each query's record counts all its requests, as a fresh run's does.
    expect(records.reduce((s, r) => s + r.usage!.modelRequests, 0)).toBe(requestsOfFresh);
  });
});
