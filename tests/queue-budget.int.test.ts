import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliInProcess, startCli, tempDir, type InProcessOptions } from "./helpers/cli.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv } from "./helpers/sim-http.js";
import { useQueueWorld } from "./helpers/queue-world.js";

/**
 * `tpo batch --queue --batch-max-cost`: the waiting batch meters one budget for every worker by
 * enqueuing a job only while what the finished jobs spent plus the estimate of those in flight
 * allows; the jobs it did not enqueue are not in the queue, so no worker can take them.
 */

const world = useQueueWorld({ sim: true });

const runTpo = (args: string[], options: InProcessOptions = {}) =>
  runCliInProcess(args, { timeoutMs: 120_000, env: simServerEnv(world.sim), ...options });

// $2.50 per million input tokens, $10 output; $0.0005 a score request (as tests/cli-prices.int.test.ts).
const PRICES = {
  "tpo-sim": { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5 },
  "tpo-sim-reward": { input_cost_per_request: 0.0005 },
};
const QUERIES = 8;

describe("tpo batch --queue --batch-max-cost", () => {
  it("two workers share one budget: the rest is never enqueued, the summary says how many, and the same command runs them", async (ctx) => {
    const { pg, url } = world.database(ctx, "budget");
    const dir = tempDir();
    const prices = join(dir, "prices.json");
    writeFileSync(prices, JSON.stringify(PRICES));
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(30, 30 + QUERIES)));
    const out = join(dir, "out.jsonl");
    const args = ["batch", input, "--queue", url, "--out", out, "--depth", "1", "--seed", "4", "--quiet"];
    const workers = [1, 2].map(() =>
      startCli(["worker", url, "--concurrency", "2", "--quiet", "--prices", prices], {
        env: simServerEnv(world.sim, { TPO_REWARD_MODEL: "tpo-sim-reward" }),
        timeoutMs: 400_000,
      }),
    );
    // A worker that cannot start would leave the batch waiting: say why at once.
    const workerEnded = Promise.race(workers.map((w) => w.done)).then((ended) => {
      throw new Error(`a worker ended: ${ended.stderr}`);
    });

    const limit = 0.02;
    const first = await Promise.race([runTpo([...args, "--batch-max-cost", String(limit)]), workerEnded]);
    expect(first.code, first.stderr).toBe(0);
    const records = readRecords(out);
    const spent = records.reduce((sum, r) => sum + r.usage!.costUsd!, 0);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(QUERIES);
    // A job is enqueued only while spent + (in flight + 1) × the mean of the finished ones stays
    // within the limit; each job may cost more than that mean, by at most the spread of the costs.
    const costs = records.map((r) => r.usage!.costUsd!);
    const spread = Math.max(...costs) - Math.min(...costs);
    expect(spent).toBeLessThanOrEqual(limit + records.length * spread + 1e-12);
    expect(first.stderr).toContain(`${QUERIES - records.length} of ${QUERIES} queries were not started`);
    expect(first.stderr).toContain("Run the same command again");
    // Enforced for every worker: the queue never held the jobs that were not started.
    expect(Number(pg.query("budget", "SELECT count(*) FROM tpo_queue.jobs").trim())).toBe(records.length);

    const rest = await Promise.race([runTpo(args), workerEnded]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(new Set(readRecords(out).map((r) => r.id)).size).toBe(QUERIES);
    expect(readRecords(out)).toHaveLength(QUERIES);

    for (const worker of workers) worker.child.kill("SIGTERM");
    for (const worker of workers) expect((await worker.done).code).toBe(0);
  }, 420_000);

  it("is refused with --detach: nothing would meter the budget", async (ctx) => {
    const { url } = world.database(ctx, "budget_refused");
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 2)));
    const args = ["batch", input, "--queue", url, "--out", join(dir, "out.jsonl"), "--batch-max-cost", "1"];
    const detached = await runTpo([...args, "--detach"]);
    expect(detached.code).toBe(2);
    expect(detached.stderr).toMatch(/--batch-max-cost with --detach does not go with --queue/);
  }, 120_000);

  it("stops enqueuing at the first record without a cost (a worker without prices) and says what to give it: exit 2", async (ctx) => {
    const { pg, url } = world.database(ctx, "budget_unpriced");
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(50, 53)));
    const out = join(dir, "out.jsonl");
    const worker = startCli(["worker", url, "--concurrency", "2", "--quiet"], {
      env: simServerEnv(world.sim),
      timeoutMs: 300_000,
    });
    const workerEnded = worker.done.then((ended) => {
      throw new Error(`the worker ended: ${ended.stderr}`);
    });
    const args = [
      "batch",
      input,
      "--queue",
      url,
      "--out",
      out,
      "--depth",
      "1",
      "--quiet",
      "--batch-max-cost",
      "1",
    ];
    const result = await Promise.race([runTpo(args), workerEnded]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the record of .* has no cost, as its worker has no prices/);
    expect(result.stderr).toContain("2 of 3 queries were not started");
    expect(result.stderr).toContain("--prices FILE or TPO_PRICES");
    expect(readRecords(out)).toHaveLength(1);
    expect(Number(pg.query("budget_unpriced", "SELECT count(*) FROM tpo_queue.jobs").trim())).toBe(1);
    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 300_000);
});
