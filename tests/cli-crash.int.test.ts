import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { killChildren, removeTempDirs, runCli, startCli, tempDir, waitUntil } from "./helpers/cli.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv } from "./helpers/sim-http.js";

// The batch runs against the simulated world over HTTP, as against real servers.
let server: SimServer;

beforeAll(async () => {
  server = await startSimServer();
});

afterAll(() => server.close());

afterEach(() => {
  killChildren();
  removeTempDirs();
  server.setLatency({});
});

/** Query ids whose thread has got past its first model calls: at least `steps` checkpoints in the SQLite file. */
function checkpointedIds(path: string, steps: number): string[] {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db
      .prepare("SELECT thread_id FROM checkpoints GROUP BY thread_id HAVING COUNT(*) >= ?")
      .all(steps) as { thread_id: string }[];
    return rows.map((r) => r.thread_id.split(":").slice(2).join(":"));
  } catch {
    return []; // not created yet
  } finally {
    db?.close();
  }
}

describe("a batch killed with SIGKILL", () => {
  it("resumes from its checkpoints: every query once, and fewer model requests than a fresh run", async () => {
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 8)));
    const out = join(dir, "out.jsonl");
    const checkpoint = join(dir, "checkpoints.sqlite");
    const args = [
      "batch",
      input,
      "--out",
      out,
      "--checkpoint",
      checkpoint,
      "--concurrency",
      "2",
      "--depth",
      "3",
      "--quiet",
    ];

    const env = simServerEnv(server);
    // Every request waits, so the process is caught with queries half done.
    server.setLatency({ fixedMs: 100 });
    const { child, done } = startCli(args, { env });
    await waitUntil(
      () => {
        const finished = new Set(readRecords(out).map((r) => r.id));
        return finished.size >= 2 && checkpointedIds(checkpoint, 4).some((id) => !finished.has(id));
      },
      40_000,
      "two records and a query in progress",
    );
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const beforeResume = readRecords(out);
    expect(beforeResume.length).toBeGreaterThanOrEqual(2);
    expect(beforeResume.length).toBeLessThan(8);

    server.setLatency({});
    const resumed = await runCli([...args, "--resume"], { env });
    expect(resumed.code).toBe(0);
    const records = readRecords(out);
    const ids = records.map((r) => r.id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    expect(records.every((r) => !r.error && r.history!.length === 4)).toBe(true);

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
    const fresh = await runCli(["batch", input, "--out", freshOut, "--depth", "3", "--quiet"], { env });
    expect(fresh.code).toBe(0);
    const requestsOfFresh = readRecords(freshOut).reduce((s, r) => s + r.usage!.modelRequests, 0);
    expect(requestsOfResume).toBeLessThan(requestsOfFresh);
    // Whatever was resumed, each query's record counts all its requests, as a fresh run's does.
    expect(records.reduce((s, r) => s + r.usage!.modelRequests, 0)).toBe(requestsOfFresh);
  });
});
