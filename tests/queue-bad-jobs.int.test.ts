import { z } from "zod";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openQueue } from "../src/queue/connection.js";
import { unrecordedFailures } from "../src/queue/pg-boss-sql.js";
import { resultsOf, saveResult } from "../src/queue/results.js";
import { runCliInProcess, startCli, tempDir, waitUntil } from "./helpers/cli.js";
import { rows, throttled } from "./helpers/queue.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv } from "./helpers/sim-http.js";
import { useQueueWorld } from "./helpers/queue-world.js";

// What a worker accepts: jobs of another shape, jobs above its caps, records of other models, a
// record that comes twice, and --grace. A real PostgreSQL server on a free port of 127.0.0.1 and
// the simulated world over HTTP; the workers are `tpo` processes, the batches run in this one.
const world = useQueueWorld({ sim: true });
const needServer = world.database;

function promptsFile(dir: string, prompts: unknown[]): string {
  const input = join(dir, "prompts.json");
  writeFileSync(input, JSON.stringify(prompts));
  return input;
}

function startWorker(url: string, extra: string[] = [], env: Record<string, string | undefined> = {}) {
  return startCli(["worker", url, "--concurrency", "2", "--lease", "3", ...extra], {
    env: simServerEnv(world.sim, env),
    timeoutMs: 170_000,
  });
}

/** The worker's lines that refuse a job. */
function refusals(output: string): string[] {
  return output.split("\n").filter((line) => line.startsWith("tpo worker: refused "));
}

const SETTINGS = ["--depth", "1", "--width", "2", "--seed", "5"];
const WAIT = { timeoutMs: 150_000 };

describe("jobs a worker cannot read", () => {
  it(
    "a newer version's job, null, garbage and a job without an id each fail alone, at once and without retries, " +
      "with one line; the worker goes on, the waiting batch gets the refused job's record, the status counts them",
    async (ctx) => {
      const { pg, url } = needServer(ctx, "bad_jobs");
      const dir = tempDir();
      const input = promptsFile(dir, samplePrompts().slice(0, 3));
      const out = join(dir, "out.jsonl");
      const env = simServerEnv(world.sim);
      const batchArgs = ["batch", input, "--queue", url, "--out", out, ...SETTINGS, "--quiet"];
      expect((await runCliInProcess([...batchArgs, "--detach"], { env })).code).toBe(0);
      // One of the batch's jobs as a newer langgraph-tpo would enqueue it, and three that no batch made.
      const [[newer]] = rows(pg, "bad_jobs", "SELECT item_id FROM tpo_queue.jobs ORDER BY item_id LIMIT 1");
      pg.query(
        "bad_jobs",
        `UPDATE tpo_pgboss.job SET data = jsonb_set(data, '{v}', '2') WHERE data->>'id' = '${newer}';
         INSERT INTO tpo_pgboss.job (name, data) VALUES
           ('tpo', 'null'), ('tpo', '"garbage"'), ('tpo', '{"v": 1, "key": "x:tpo:noid:0", "dataset": "x", "source": "line 1", "mode": "tpo"}')`,
      );

      const worker = startWorker(url);
      const waited = await runCliInProcess(batchArgs, { env, ...WAIT });
      expect(waited.code, waited.stderr).toBe(1);
      expect(waited.stderr).toContain(`1 of 3 queries failed: ${newer} (tpo)`);
      const records = readRecords(out);
      expect(records.map((r) => r.id).sort()).toHaveLength(3);
      expect(records.find((r) => r.id === newer)!.error!.message).toBe(
        "refused by a worker: it was enqueued by a newer langgraph-tpo (job version 2; this worker reads version 1): " +
          "upgrade the workers",
      );
      expect(records.filter((r) => r.error)).toHaveLength(1);

      await waitUntil(() => refusals(worker.output()).length >= 4, 60_000, "four refusals");
      const lines = refusals(worker.output());
      expect(lines).toHaveLength(4);
      expect(lines.find((l) => l.includes(`refused ${newer} (tpo, data set prompts, job `))).toMatch(
        /: it was enqueued by a newer langgraph-tpo .*: upgrade the workers; it fails now, without retries\.$/,
      );
      expect(lines.filter((l) => l.includes(": its data is null, not a job;"))).toHaveLength(1);
      expect(lines.filter((l) => l.includes(": its data is a string, not a job;"))).toHaveLength(1);
      expect(
        lines.filter((l) => /^tpo worker: refused job \S+ \(tpo, data set x, job .*\(id: /.test(l)),
      ).toHaveLength(1);
      expect(worker.output()).not.toMatch(/TypeError|took .*newer/);
      expect(worker.child.exitCode).toBeNull();

      // Failed at their first attempt, none to come.
      const failed = rows(
        pg,
        "bad_jobs",
        "SELECT state, retry_count, retry_limit FROM tpo_pgboss.job WHERE state <> 'completed'",
      );
      expect(failed).toHaveLength(4);
      for (const [state, count, limit] of failed) expect([state, count]).toEqual(["failed", limit]);
      expect(failed.every(([, count]) => count === "0")).toBe(true);
      const status = await runCliInProcess(["queue", "status", url]);
      expect(status.stdout).toContain("jobs: 3 in all · 0 queued · 0 active · 2 done · 4 failed");

      worker.child.kill("SIGTERM");
      const stopped = await worker.done;
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).toContain("stopped: 2 jobs done, 4 failed attempts, 0 handed back.");
    },
    180_000,
  );
});

describe("failed jobs that no batch enqueued", () => {
  it("do not crowd out a batch's job that failed without a record, which the workers record", async (ctx) => {
    const { pg, url } = needServer(ctx, "unrecorded");
    const dir = tempDir();
    const input = promptsFile(dir, samplePrompts().slice(0, 1));
    const out = join(dir, "out.jsonl");
    const args = ["batch", input, "--queue", url, "--out", out, ...SETTINGS, "--detach"];
    expect((await runCliInProcess(args, { env: simServerEnv(world.sim) })).code).toBe(0);
    // More failed foreign jobs than a heartbeat looks at, then the batch's job failed (its worker gone).
    pg.query(
      "unrecorded",
      `INSERT INTO tpo_pgboss.job (name, data, state) SELECT 'tpo', 'null', 'failed' FROM generate_series(1, 25);
       UPDATE tpo_pgboss.job SET state = 'failed' WHERE data->>'id' IS NOT NULL`,
    );
    const [[id]] = rows(pg, "unrecorded", "SELECT item_id FROM tpo_queue.jobs");
    const queue = await openQueue(url, { what: "test" });
    try {
      const failures = await unrecordedFailures(queue.pool, 20);
      expect(failures.map((f) => (f.data as { id?: string } | null)?.id)).toEqual([id]);
    } finally {
      await queue.close();
    }
  }, 60_000);
});

describe("tpo worker --max-width, --max-depth, --max-tokens", () => {
  it("a job above them fails at once with one line, without retries; a job within them runs", async (ctx) => {
    const { pg, url } = needServer(ctx, "caps");
    const dir = tempDir();
    const input = promptsFile(dir, samplePrompts().slice(3, 5));
    const out = join(dir, "out.jsonl");
    const env = simServerEnv(world.sim);
    const wideArgs = [
      "batch",
      input,
      "--queue",
      url,
      "--out",
      out,
      "--width",
      "3",
      "--depth",
      "2",
      "--quiet",
    ];
    // Enqueued first: the database is set up before the worker opens it.
    expect((await runCliInProcess([...wideArgs, "--detach"], { env })).code).toBe(0);
    const worker = startWorker(url, ["--max-width", "2", "--max-depth", "1"]);
    const wide = await runCliInProcess(wideArgs, { env, ...WAIT });
    expect(wide.code, wide.stderr).toBe(1);
    const message =
      "refused by a worker: width 3 is more than this worker allows: at most 2 (tpo worker --max-width); " +
      "depth 2 is more than this worker allows: at most 1 (tpo worker --max-depth)";
    expect(
      readRecords(out).map((r) => r.error?.message),
      wide.stderr,
    ).toEqual([message, message]);
    expect(refusals(worker.output())).toHaveLength(2);
    expect(worker.output()).not.toMatch(/^tpo worker: took /m);
    expect(rows(pg, "caps", "SELECT DISTINCT state, retry_count FROM tpo_pgboss.job")).toEqual([
      ["failed", "0"],
    ]);

    const within = join(dir, "within.jsonl");
    const ok = await runCliInProcess(
      ["batch", input, "--queue", url, "--out", within, ...SETTINGS, "--quiet"],
      {
        env,
        ...WAIT,
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(readRecords(within).filter((r) => r.error)).toEqual([]);
    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 180_000);
});

describe("a queue batch and the models of its records", () => {
  it(
    "refuses to continue an --out of other models, as a plain --resume does, without writing those records; " +
      "--allow-mixed adds them, and the summary keeps the models apart",
    async (ctx) => {
      const { url } = needServer(ctx, "models");
      const dir = tempDir();
      const input = promptsFile(dir, samplePrompts().slice(5, 9));
      const out = join(dir, "out.jsonl");
      const env = simServerEnv(world.sim);
      // The first two queries, by a plain batch with this machine's models.
      const two = join(dir, "two.json");
      writeFileSync(two, JSON.stringify(samplePrompts().slice(5, 7)));
      const plain = await runCliInProcess(["batch", two, "--out", out, ...SETTINGS, "--quiet"], {
        env,
        timeoutMs: 120_000,
      });
      expect(plain.code, plain.stderr).toBe(0);

      const args = ["batch", input, "--queue", url, "--out", out, ...SETTINGS, "--quiet"];
      expect((await runCliInProcess([...args, "--detach"], { env })).code).toBe(0);
      const worker = startWorker(url, [], { TPO_MODEL: "tpo-sim-b" });
      const refused = await runCliInProcess(args, { env, ...WAIT });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain("tpo: models.model: tpo-sim in the records, tpo-sim-b now");
      expect(refused.stderr).toContain("2 of 2 records came from workers with other models");
      expect(refused.stderr).toContain("--allow-mixed");
      expect(readRecords(out)).toHaveLength(2);

      // The records are in the queue: --allow-mixed writes them without running anything again.
      const mixed = await runCliInProcess([...args, "--allow-mixed"], { env, ...WAIT });
      expect(mixed.code, mixed.stderr).toBe(0);
      const records = readRecords(out);
      expect(records.map((r) => r.models?.model)).toEqual(["tpo-sim", "tpo-sim", "tpo-sim-b", "tpo-sim-b"]);
      expect(mixed.stdout).toContain("models.model tpo-sim-b");
      worker.child.kill("SIGTERM");
      const stopped = await worker.done;
      expect(stopped.stderr).toContain("stopped: 2 jobs done");
    },
    180_000,
  );
});

describe("a job that finishes twice", () => {
  it("keeps its first record; a success replaces a failure, never the other way", async (ctx) => {
    const { url } = needServer(ctx, "twice");
    const queue = await openQueue(url, { what: "test" });
    try {
      const worker = randomUUID();
      const save = (key: string, ok: boolean, n: number) =>
        saveResult(queue.pool, { key, ok, record: { n }, worker, attempt: n });
      expect(await save("a", true, 1)).toBe(true);
      expect(await save("a", true, 2)).toBe(false);
      expect(await save("a", false, 3)).toBe(false);
      expect(await save("b", false, 1)).toBe(true);
      expect(await save("b", false, 2)).toBe(false);
      expect(await save("b", true, 3)).toBe(true);
      expect(await save("b", true, 4)).toBe(false);
      const kept = new Map(
        (await resultsOf(queue.pool, z.object({ n: z.number() }), ["a", "b"])).map((r) => [r.key, r]),
      );
      expect(kept.get("a")).toEqual({ key: "a", ok: true, record: { n: 1 } });
      expect(kept.get("b")).toEqual({ key: "b", ok: true, record: { n: 3 } });
    } finally {
      await queue.close();
    }
  }, 60_000);
});

describe("a record that a worker of another version made", () => {
  it("is written to --out as a failure of its query that says so; tpo queue results leaves it out, naming it", async (ctx) => {
    const { pg, url } = needServer(ctx, "misfit");
    const dir = tempDir();
    const input = promptsFile(dir, samplePrompts().slice(10, 12));
    const env = simServerEnv(world.sim);
    const out = join(dir, "out.jsonl");
    const args = ["batch", input, "--queue", url, "--out", out, ...SETTINGS, "--quiet"];
    expect((await runCliInProcess([...args, "--detach"], { env })).code).toBe(0);
    // No worker: the records are put in the queue as two workers would have, one of another shape.
    const [[fitKey, fitId], [misfitKey, misfitId]] = rows(
      pg,
      "misfit",
      "SELECT key, item_id FROM tpo_queue.jobs ORDER BY item_id",
    );
    const queue = await openQueue(url, { what: "test" });
    try {
      const worker = randomUUID();
      const record = (id: string, elapsedMs: unknown) => ({
        id,
        mode: "tpo",
        query: "…",
        elapsedMs,
        finishedAt: new Date().toISOString(),
      });
      await saveResult(queue.pool, { key: fitKey, ok: true, record: record(fitId, 5), worker, attempt: 1 });
      await saveResult(queue.pool, {
        key: misfitKey,
        ok: true,
        record: record(misfitId, "5 s"),
        worker,
        attempt: 1,
      });
    } finally {
      await queue.close();
    }

    const batch = await runCliInProcess(args, { env });
    expect(batch.code, batch.stderr).toBe(1);
    expect(batch.stderr).toContain(`1 of 2 queries failed: ${misfitId} (tpo)`);
    const written = new Map(readRecords(out).map((r) => [r.id, r]));
    expect(written.get(fitId)!.error).toBeUndefined();
    expect(written.get(misfitId)!.error!.message).toMatch(
      /its worker made a record that this tpo cannot read \(elapsedMs: .*number.*\); run workers of the same version/,
    );

    const all = join(dir, "all.jsonl");
    const exported = await runCliInProcess(["queue", "results", url, "--out", all], { env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain("wrote 1 record to");
    expect(exported.stderr).toContain(
      `left out 1 that workers of another version made, which this tpo cannot read: ${misfitKey} (elapsedMs:`,
    );
    expect(readRecords(all).map((r) => r.id)).toEqual([fitId]);
  }, 180_000);
});

describe("tpo worker --grace", () => {
  it("is in seconds: on SIGTERM a job shorter than the grace finishes before the worker exits", async (ctx) => {
    const { url } = needServer(ctx, "grace");
    const dir = tempDir();
    const input = promptsFile(dir, samplePrompts().slice(9, 10));
    const env = simServerEnv(world.sim);
    const out = join(dir, "out.jsonl");
    expect(
      (
        await runCliInProcess(["batch", input, "--queue", url, "--out", out, ...SETTINGS, "--detach"], {
          env,
        })
      ).code,
    ).toBe(0);
    // Each request 200 ms: the job takes seconds, far more than 60 ms and far less than 60 s.
    world.sim.setLatency({ fixedMs: 200 });
    const worker = startWorker(url, ["--grace", "60"]);
    await waitUntil(
      throttled(() => /^tpo worker: took /m.test(worker.output()), 100),
      60_000,
      "the worker to take the job",
    );
    worker.child.kill("SIGTERM");
    const stopped = await worker.done;
    expect(stopped.code).toBe(0);
    const afterSignal = stopped.stderr.slice(stopped.stderr.indexOf("SIGTERM:"));
    expect(afterSignal).toMatch(/^SIGTERM: taking no more jobs; 1 in flight get 60 s to finish/);
    expect(afterSignal).toMatch(/^tpo worker: done /m);
    expect(stopped.stderr).toContain("stopped: 1 job done, 0 failed attempts, 0 handed back.");
  }, 120_000);
});
