import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliInProcess, startCli, tempDir, waitUntil, type InProcessOptions } from "./helpers/cli.js";
import {
  checkpointsPerId,
  comparable,
  doneCount,
  frozen,
  heldIds,
  repeatedSteps,
  rows,
  throttled,
} from "./helpers/queue.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv } from "./helpers/sim-http.js";
import { useQueueWorld } from "./helpers/queue-world.js";

/** A CLI run in this process (the bin project spawns it, with a deadline for a loaded 2-core machine). */
const runTpo = (args: string[], options: InProcessOptions = {}) =>
  runCliInProcess(args, { timeoutMs: 120_000, ...options });

// A real PostgreSQL server and the simulated world over HTTP; the workers are `tpo` processes,
// the awaited batches run in this one.
const world = useQueueWorld({ sim: true });
const needServer = world.postgres;

/** A worker with a short lease, so that a killed one's jobs come back soon. */
function startWorker(url: string, extra: string[] = []) {
  return startCli(["worker", url, "--concurrency", "2", "--lease", "3", ...extra], {
    env: simServerEnv(world.sim),
    timeoutMs: 400_000,
  });
}

const SETTINGS = ["--depth", "2", "--width", "2", "--seed", "5"];

describe("tpo worker and tpo batch --queue", () => {
  it(
    "three workers and a waiting batch, one worker killed with SIGKILL mid-run: 60 records, once each, none failed, " +
      "the killed worker's queries resumed from their checkpoints, the records those of a one-process batch",
    async (ctx) => {
      const pg = needServer(ctx);
      pg.createDatabase("killed_worker");
      const url = pg.url("killed_worker");
      const dir = tempDir();
      const input = join(dir, "prompts.json");
      const prompts = samplePrompts().slice(0, 60);
      writeFileSync(input, JSON.stringify(prompts));
      const out = join(dir, "out.jsonl");
      world.sim.setLatency({ fixedMs: 40 });

      // All at once against a fresh database: they also set up its tables together.
      const batch = startCli(["batch", input, "--queue", url, "--out", out, ...SETTINGS, "--quiet"], {
        env: simServerEnv(world.sim),
        timeoutMs: 400_000,
      });
      const victim = startWorker(url);
      const others = [startWorker(url), startWorker(url)];

      // Kill it once it has finished a job and holds one with steps done (checkpoints saved) that it
      // has not finished: frozen with SIGSTOP first, so that what it holds is read while it stands still.
      const stepsDone = () => {
        const checkpoints = checkpointsPerId(pg, "killed_worker");
        return heldIds(victim.output()).some((id) => (checkpoints.get(id) ?? 0) >= 4);
      };
      let held: string[] = [];
      for (let attempt = 0; ; attempt++) {
        expect(attempt, "tries to catch the victim holding a query with steps done").toBeLessThan(20);
        await waitUntil(
          throttled(() => doneCount(victim.output()) >= 1 && stepsDone()),
          120_000,
          "the victim to hold a query with steps done",
        );
        victim.child.kill("SIGSTOP");
        await frozen(victim.child.pid!); // and what it wrote has reached us
        const saved = new Set(
          rows(
            pg,
            "killed_worker",
            `SELECT j.item_id FROM tpo_queue.results r JOIN tpo_queue.jobs j USING (key)
               JOIN tpo_queue.workers w ON w.id = r.worker WHERE w.pid = ${victim.child.pid}`,
          ).map(([id]) => id),
        );
        const checkpoints = checkpointsPerId(pg, "killed_worker");
        held = heldIds(victim.output());
        if (held.some((id) => !saved.has(id) && (checkpoints.get(id) ?? 0) >= 4)) break;
        victim.child.kill("SIGCONT");
      }
      victim.child.kill("SIGKILL");
      expect((await victim.done).signal).toBe("SIGKILL");
      expect(held.length).toBeGreaterThan(0);

      const result = await batch.done;
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      for (const worker of others) worker.child.kill("SIGTERM");
      for (const worker of others) expect((await worker.done).code).toBe(0);

      const records = readRecords(out);
      expect(records).toHaveLength(60);
      expect(new Set(records.map((r) => r.id)).size).toBe(60);
      expect(records.filter((r) => r.error)).toEqual([]);

      // Its jobs went to the others when its lease lapsed, each resumed from its checkpoint: the
      // steps finished before the kill were not asked again (at most the one in flight was). A
      // job it finished the moment it died (its record saved, its line not printed) stays its own.
      const byId = new Map(records.map((r) => [r.id, r]));
      const [[victimId]] = rows(
        pg,
        "killed_worker",
        `SELECT id FROM tpo_queue.workers WHERE pid = ${victim.child.pid}`,
      );
      const finishedBy = new Map(
        rows(
          pg,
          "killed_worker",
          "SELECT j.item_id, r.worker, r.attempt FROM tpo_queue.results r JOIN tpo_queue.jobs j USING (key)",
        ).map(([id, worker, attempt]) => [id, { worker, attempt: Number(attempt) }]),
      );
      const takenOver = held.filter((id) => finishedBy.get(id)!.worker !== victimId);
      expect(takenOver.length).toBeGreaterThan(0);
      for (const id of takenOver) {
        const record = byId.get(id)!;
        expect(record.resumedFrom, id).toBeDefined();
        expect(finishedBy.get(id)!.attempt, id).toBe(2);
        expect(repeatedSteps(world.sim.stats.log, record.query!), id).toBeLessThanOrEqual(1);
      }
      expect(takenOver.some((id) => byId.get(id)!.resumedFrom!.modelRequests > 0)).toBe(true);
      // Nobody else's query asked a model anything twice.
      for (const record of records.filter((r) => !takenOver.includes(r.id))) {
        expect(repeatedSteps(world.sim.stats.log, record.query!), record.id).toBe(0);
      }

      // The same records as one plain tpo batch makes (the simulated world is deterministic).
      world.sim.setLatency({});
      const plain = join(dir, "plain.jsonl");
      const one = await runTpo(["batch", input, "--out", plain, ...SETTINGS, "--quiet"], {
        env: simServerEnv(world.sim),
        timeoutMs: 120_000,
      });
      expect(one.code).toBe(0);
      const expected = new Map(readRecords(plain).map((r) => [r.id, r]));
      expect([...byId.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [id, record] of byId) expect(comparable(record), id).toEqual(comparable(expected.get(id)!));
    },
    420_000,
  );

  it(
    "SIGTERM: the worker takes no more jobs, hands back at once those that cannot finish within --grace " +
      "(not counted as an attempt), and another worker completes them from their checkpoints",
    async (ctx) => {
      const pg = needServer(ctx);
      pg.createDatabase("sigterm");
      const url = pg.url("sigterm");
      const dir = tempDir();
      const input = join(dir, "prompts.json");
      writeFileSync(input, JSON.stringify(samplePrompts().slice(60, 66)));
      const out = join(dir, "out.jsonl");
      const settings = ["--depth", "3", "--width", "2", "--seed", "5"];
      const batchArgs = ["batch", input, "--queue", url, "--out", out, ...settings, "--quiet"];
      const env = simServerEnv(world.sim);
      const enqueued = await runTpo([...batchArgs, "--detach"], { env });
      expect(enqueued.code).toBe(0);
      world.sim.setLatency({ fixedMs: 150 });

      const first = startWorker(url, ["--concurrency", "3", "--grace", "0.5"]);
      await waitUntil(
        throttled(() => {
          const held = heldIds(first.output());
          const checkpoints = checkpointsPerId(pg, "sigterm");
          return held.length === 3 && held.some((id) => (checkpoints.get(id) ?? 0) >= 3);
        }),
        120_000,
        "the worker to hold three queries with steps done",
      );
      first.child.kill("SIGTERM");
      const stopped = await first.done;
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).toContain("SIGTERM: taking no more jobs");
      const afterSignal = stopped.stderr.slice(stopped.stderr.indexOf("SIGTERM:"));
      expect(afterSignal).not.toMatch(/^tpo worker: took /m);
      const handedBack = [...afterSignal.matchAll(/^tpo worker: handed back (\S+) /gm)].map((m) => m[1]);
      expect(handedBack.length).toBeGreaterThan(0);
      expect(stopped.stderr).toMatch(
        new RegExp(`stopped: \\d+ jobs? done, 0 failed attempts, ${handedBack.length} handed back`),
      );

      // Back in the queue at once, as never started: the next worker's run is attempt 1.
      const states = rows(
        pg,
        "sigterm",
        "SELECT data->>'id', state, retry_count, start_after <= now() FROM tpo_pgboss.job WHERE state <> 'completed'",
      );
      for (const id of handedBack)
        expect(states.find(([jobId]) => jobId === id)).toEqual([id, "created", "0", "t"]);

      const second = startWorker(url);
      const waited = await runTpo(batchArgs, { env, timeoutMs: 120_000 });
      expect(waited.stderr).toBe("");
      expect(waited.code).toBe(0);
      second.child.kill("SIGTERM");
      expect((await second.done).code).toBe(0);
      const records = readRecords(out);
      expect(records.map((r) => r.id).sort()).toEqual([...new Set(records.map((r) => r.id))].sort());
      expect(records).toHaveLength(6);
      expect(records.filter((r) => r.error)).toEqual([]);
      const attempts = new Map(
        rows(
          pg,
          "sigterm",
          "SELECT j.item_id, r.attempt FROM tpo_queue.results r JOIN tpo_queue.jobs j USING (key)",
        ).map(([id, attempt]) => [id, attempt]),
      );
      for (const id of handedBack) {
        expect(records.find((r) => r.id === id)!.resumedFrom, id).toBeDefined();
        expect(attempts.get(id), id).toBe("1");
        expect(
          repeatedSteps(world.sim.stats.log, records.find((r) => r.id === id)!.query!),
          id,
        ).toBeLessThanOrEqual(1);
      }
    },
    420_000,
  );

  it("a second SIGTERM stops the jobs in flight at once, whatever --grace says, and hands them back", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("second_signal");
    const url = pg.url("second_signal");
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(70, 72)));
    const env = simServerEnv(world.sim);
    const out = join(dir, "out.jsonl");
    expect(
      (await runTpo(["batch", input, "--queue", url, "--out", out, "--depth", "4", "--detach"], { env }))
        .code,
    ).toBe(0);
    world.sim.setLatency({ fixedMs: 300 });
    // Ten minutes of grace: only the second signal can make it stop within this test.
    const worker = startWorker(url, ["--grace", "600"]);
    await waitUntil(() => heldIds(worker.output()).length === 2, 120_000, "the worker to take both queries");
    worker.child.kill("SIGTERM");
    await waitUntil(
      () => worker.output().includes("taking no more jobs"),
      90_000,
      "the first signal's notice",
    );
    worker.child.kill("SIGTERM");
    const stopped = await worker.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain("SIGTERM again: stopping the jobs in flight now");
    expect([...stopped.stderr.matchAll(/^tpo worker: handed back /gm)]).toHaveLength(2);
    const states = rows(pg, "second_signal", "SELECT state FROM tpo_pgboss.job");
    expect(states.map(([state]) => state)).toEqual(["created", "created"]);
  }, 420_000);

  it("the database down and back: one line when it goes, one when it is back, labelled tpo worker", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("outage");
    const url = pg.url("outage");
    // --lease 3: pg-boss's maintenance every second, each failing while the server is down.
    const worker = startWorker(url);
    await waitUntil(() => worker.output().includes("takes jobs from"), 90_000, "the worker's first line");
    pg.halt();
    try {
      await waitUntil(() => worker.output().includes("lost the connection"), 90_000, "the worker to notice");
    } finally {
      pg.start();
    }
    await waitUntil(
      () => worker.output().includes("the connection to the queue is back"),
      120_000,
      "the worker to see it back",
    );
    worker.child.kill("SIGTERM");
    const stopped = await worker.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    const lines = stopped.stderr.split("\n").filter((line) => line);
    expect(lines.filter((line) => /lost|connection/.test(line))).toEqual([
      expect.stringMatching(
        /^tpo worker: lost the connection to the queue \(.+\); trying again until it is back\.$/,
      ),
      "tpo worker: the connection to the queue is back.",
    ]);
    expect(lines.filter((line) => !line.startsWith("tpo worker: "))).toEqual([]);
  }, 420_000);
});
