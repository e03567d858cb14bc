import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openCheckpointer } from "../src/run/checkpoint.js";
import {
  killChildren,
  removeTempDirs,
  runCliInProcess,
  startCli,
  tempDir,
  waitUntil,
} from "./helpers/cli.js";
import { killMidBatchAndResume } from "./helpers/kill-mid-batch.js";
import type { PostgresServer } from "./helpers/postgres.js";
import { usePostgres } from "./helpers/use-postgres.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv, useSimServer } from "./helpers/sim-http.js";

// A real PostgreSQL server from Debian's packages, started here on a free port of 127.0.0.1.
// Where it cannot start the tests skip and say why; under CI (.ci/run installs it) they must run.
const needServer = usePostgres();
// The batch runs against the simulated world over HTTP, as against real servers.
const simulated = useSimServer();

afterEach(() => {
  killChildren();
  removeTempDirs();
});

/** Query ids whose thread has got past its first model calls: at least `steps` checkpoints saved. */
function checkpointedIds(pg: PostgresServer, database: string, steps: number): string[] {
  try {
    const out = pg.query(
      database,
      `SELECT thread_id FROM checkpoints GROUP BY thread_id HAVING COUNT(*) >= ${steps}`,
    );
    return out
      .split("\n")
      .filter((line) => line.trim())
      .map((threadId) => threadId.split(":").slice(2).join(":"));
  } catch {
    return []; // the batch has not created the tables yet
  }
}

describe("tpo batch --checkpoint postgres://", () => {
  it("resumes a batch killed with SIGKILL from its checkpoints: queries caught half done continue, none restarts", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("killed_batch");
    const { beforeResume, halfDone, resumed, records } = await killMidBatchAndResume(
      simulated.server,
      pg.url("killed_batch"),
      (steps) => checkpointedIds(pg, "killed_batch", steps),
    );
    expect(resumed.stderr).toBe("");

    // Every query the kill caught after its first steps continued from its checkpoint, with the
    // model requests made before the kill counted, instead of starting again.
    const afterKill = new Map(records.slice(beforeResume.length).map((r) => [r.id, r]));
    for (const id of halfDone) {
      const record = afterKill.get(id)!;
      expect(record.resumedFrom, id).toBeDefined();
      expect(record.resumedFrom!.modelRequests, id).toBeGreaterThan(0);
      expect(record.usage!.modelRequests).toBeGreaterThan(record.resumedFrom!.modelRequests);
    }
  });

  it("sets up a fresh database from several batches at once, as shards started together do", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("shards_at_once");
    const opened = await Promise.all(
      Array.from({ length: 4 }, () => openCheckpointer(pg.url("shards_at_once"))),
    );
    try {
      expect(pg.query("shards_at_once", "SELECT COUNT(*) FROM checkpoints").trim()).toBe("0");
    } finally {
      await Promise.all(opened.map((c) => c.close()));
    }
  });

  it("names the database and the problem when it cannot set up, without the password", async (ctx) => {
    const pg = needServer(ctx);
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(["one prompt"]));
    const url = `postgres://tpo:s3cret@127.0.0.1:${pg.port}/no_such_database`;
    const result = await runCliInProcess([
      "batch",
      input,
      "--out",
      join(dir, "out.jsonl"),
      "--checkpoint",
      url,
      "--quiet",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--checkpoint postgres://tpo:***@127.0.0.1");
    expect(result.stderr).toContain('database "no_such_database" does not exist');
    expect(result.stderr).not.toContain("s3cret");
  });

  it("goes on when PostgreSQL drops its connections mid-batch: one warning, no crash, every query recorded", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("dropped_connections");
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 6)));
    const out = join(dir, "out.jsonl");
    const args = ["batch", input, "--out", out, "--checkpoint", pg.url("dropped_connections")];
    const sim = simulated.server;
    sim.setLatency({ fixedMs: 100 }); // the pool's connections sit idle while the model answers
    const { done } = startCli([...args, "--concurrency", "2", "--depth", "2", "--quiet"], {
      env: simServerEnv(sim),
    });
    await waitUntil(() => readRecords(out).length >= 1, 40_000, "a first record");
    // As a restarted server or an administrator would: end the batch's idle connections (those the
    // pool holds between checkpoints), until at least one has been ended.
    await waitUntil(
      () =>
        pg
          .query(
            "postgres",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity " +
              "WHERE datname = 'dropped_connections' AND state = 'idle'",
          )
          .includes("t"),
      20_000,
      "an idle connection of the batch to end",
    );
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Unhandled 'error' event|at .*node_modules/);
    const warnings = result.stderr.split("\n").filter((line) => /PostgreSQL connection/.test(line));
    expect(warnings).toEqual([expect.stringContaining("--checkpoint postgres://tpo@127.0.0.1")]);
    expect(
      readRecords(out)
        .map((r) => r.id)
        .sort(),
    ).toHaveLength(6);
  });
});
