import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { killChildren, removeTempDirs, runCli, startCli, tempDir } from "./helpers/cli.js";
import { LangSmithCapture } from "./helpers/langsmith-capture.js";
import { startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv } from "./helpers/sim-http.js";

let server: PostgresServer | null = null;
let unavailable = "";
let sim: SimServer;
let capture: LangSmithCapture;

beforeAll(async () => {
  sim = await startSimServer();
  capture = new LangSmithCapture();
  const started = await startPostgres();
  if ("unavailable" in started) {
    if (process.env.CI) throw new Error(`PostgreSQL tests cannot run under CI: ${started.unavailable}`);
    unavailable = `PostgreSQL tests skipped: ${started.unavailable}`;
    return;
  }
  server = started;
}, 120_000);

afterAll(async () => {
  server?.stop();
  await sim.close();
  await capture.close();
});

afterEach(() => {
  killChildren();
  removeTempDirs();
});

describe("tpo batch --queue --langsmith-experiment", () => {
  it("uploads the workers' records once the waiting batch has them", async (ctx) => {
    if (!server) return ctx.skip(unavailable);
    server.createDatabase("langsmith_queue");
    const url = server.url("langsmith_queue");
    const endpoint = await capture.start();
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 4)));
    const out = join(dir, "out.jsonl");
    const worker = startCli(["worker", url, "--concurrency", "2"], {
      env: simServerEnv(sim),
      timeoutMs: 300_000,
    });
    const env = simServerEnv(sim, {
      LANGSMITH_ENDPOINT: endpoint,
      LANGSMITH_API_KEY: "lsv2_queue_key_not_sent",
    });
    const args = ["batch", input, "--queue", url, "--out", out, "--depth", "1", "--width", "2", "--quiet"];
    const result = await runCli([...args, "--langsmith-experiment", "q"], { env, timeoutMs: 240_000 });
    worker.child.kill("SIGTERM");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("LangSmith");
    expect(readRecords(out)).toHaveLength(4);
    expect(capture.projects.map((p) => p.name)).toEqual(["q-tpo"]);
    expect(capture.examples).toHaveLength(4);
    expect([...capture.runs().values()].map((r) => r.session_name)).toEqual([
      "q-tpo",
      "q-tpo",
      "q-tpo",
      "q-tpo",
    ]);

    const detached = await runCli([...args, "--detach", "--langsmith-experiment", "q"], { env });
    expect(detached.code).toBe(2);
    expect(detached.stderr).toContain("--detach with --langsmith-experiment does not go with --queue");
  }, 360_000);
});
