import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, startCli } from "./helpers/cli.js";
import { samplePrompts } from "./helpers/records.js";
import { mentions, simServerEnv } from "./helpers/sim-http.js";
import { useQueueWorld } from "./helpers/queue-world.js";

/**
 * `tpo eval alpaca-eval|arena-hard --queue`: one judge job per item, judged by `tpo worker`s, the
 * same file as the one-process path for the same simulated judge, nothing judged twice. A real
 * PostgreSQL server and the simulated world over HTTP; the workers are `tpo` processes.
 */
const world = useQueueWorld({ sim: true });

const CHAT = "/v1/chat/completions";
const env = (more: Record<string, string | undefined> = {}) => simServerEnv(world.sim, more);
const runTpo = (args: string[], more: Record<string, string | undefined> = {}) =>
  runCliInProcess(args, { env: env(more), timeoutMs: 180_000 });

let dir = "";
const file = (name: string) => join(dir, name);

// The queue world removes each test's temporary folders after it: these files serve every test.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tpo-queue-eval-"));
  const questions = samplePrompts()
    .slice(0, 4)
    .map((prompt, i) => ({ uid: `q${i}`, category: "hard_prompt", prompt }));
  writeFileSync(file("questions.jsonl"), questions.map((q) => JSON.stringify(q)).join("\n"));
  writeFileSync(
    file("input.jsonl"),
    questions.map((q) => JSON.stringify({ id: q.uid, prompt: q.prompt })).join("\n"),
  );
  const steps = [
    [
      "batch",
      file("input.jsonl"),
      "--modes",
      "tpo",
      "--depth",
      "1",
      "--out",
      file("results.jsonl"),
      "--quiet",
    ],
    [
      "export",
      file("results.jsonl"),
      "--format",
      "alpaca-eval",
      "--mode",
      "first:tpo",
      "--out",
      file("reference.json"),
    ],
    [
      "export",
      file("results.jsonl"),
      "--format",
      "arena-hard",
      "--mode",
      "first:tpo",
      "--model-name",
      "tpo-sim-first",
      "--out",
      file("first.jsonl"),
    ],
  ];
  for (const args of steps) {
    const result = await runTpo(args);
    expect(result.code, result.stderr).toBe(0);
  }
}, 300_000);

const alpacaArgs = (out: string, ...more: string[]) => [
  "eval",
  "alpaca-eval",
  file("results.jsonl"),
  "--baseline",
  file("reference.json"),
  "--out",
  out,
  ...more,
];

const arenaArgs = (out: string, ...more: string[]) => [
  "eval",
  "arena-hard",
  file("results.jsonl"),
  "--baseline",
  file("first.jsonl"),
  "--questions",
  file("questions.jsonl"),
  "--out",
  out,
  ...more,
];

function startWorker(url: string, more: Record<string, string | undefined> = {}) {
  return startCli(["worker", url, "--concurrency", "2", "--lease", "3"], {
    env: env(more),
    timeoutMs: 400_000,
  });
}

/** Annotations without their timing, which differs from run to run. */
function annotations(path: string): Record<string, unknown>[] {
  return (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>[]).map(
    ({ time_per_example: _, ...row }) => row,
  );
}

/** Judgments by uid: the one-process path writes them in the order they finish. */
function judgments(path: string): Map<string, unknown> {
  const rows = readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { uid: string });
  return new Map(rows.map((row) => [row.uid, row]));
}

const chatRequests = () => world.sim.stats.bodies[CHAT]?.length ?? 0;

describe("tpo eval alpaca-eval --queue", () => {
  it("--detach enqueues; the same command collects the annotations that one process writes; a rerun enqueues and judges nothing", async (ctx) => {
    const { pg, url } = world.database(ctx, "judge_alpaca");
    const alone = await runTpo(alpacaArgs(file("alone.json")));
    expect(alone.code, alone.stderr).toBe(0);

    const detached = await runTpo(alpacaArgs(file("queued.json"), "--queue", url, "--detach"), {
      OPENAI_API_KEY: "sk-never-in-a-job",
    });
    expect(detached.code, detached.stderr).toBe(0);
    expect(detached.stderr).toMatch(/4 new judge jobs on /);
    expect(detached.stderr).toContain(`waits for them and writes ${file("queued.json")}.\n`);
    expect(existsSync(file("queued.json"))).toBe(false);

    const worker = startWorker(url);
    const queued = await runTpo(alpacaArgs(file("queued.json"), "--queue", url));
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/0 new judge jobs on [^,]+, 4 queued or running already\./);
    expect(queued.stdout).toMatch(/win rate +\d+\.\d\d ± /);
    expect(queued.stdout).toContain("Judged 4 now, 0 kept from earlier runs");
    expect(annotations(file("queued.json"))).toEqual(annotations(file("alone.json")));
    expect(existsSync(`${file("queued.json")}.partial.jsonl`)).toBe(false);
    // The jobs carry the items and the judge's name, never a key or an endpoint.
    const data = pg.query("judge_alpaca", "SELECT data::text FROM tpo_queue.jobs");
    expect(data).toContain("tpo-sim");
    expect(data).not.toMatch(/sk-never|apiKey|baseUrl|127\.0\.0\.1|OPENAI/);

    world.sim.stats.reset();
    const again = await runTpo(alpacaArgs(file("again.json"), "--queue", url));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 new judge jobs on [^,]+, 4 judged already\./);
    expect(chatRequests()).toBe(0);
    expect(annotations(file("again.json"))).toEqual(annotations(file("queued.json")));
    expect(pg.query("judge_alpaca", "SELECT count(*) FROM tpo_queue.jobs").trim()).toBe("4");
    // The judge jobs' rows are not a batch's records: tpo queue results leaves them alone.
    const records = await runTpo(["queue", "results", url, "--out", file("records.jsonl")]);
    expect(records.code, records.stderr).toBe(0);
    expect(records.stderr).toMatch(/wrote 0 records .*\.$/m);
    expect(records.stderr).not.toContain("left out");

    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 420_000);
});

describe("tpo eval arena-hard --queue", () => {
  it("writes the judgments that one process writes, through tpo worker", async (ctx) => {
    const { url } = world.database(ctx, "judge_arena");
    const alone = await runTpo(arenaArgs(file("alone.jsonl")));
    expect(alone.code, alone.stderr).toBe(0);

    const worker = startWorker(url);
    const collected = await runTpo(arenaArgs(file("queued.jsonl"), "--queue", url, "--json"));
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stderr).toMatch(/4 new judge jobs on /);
    expect(judgments(file("queued.jsonl"))).toEqual(judgments(file("alone.jsonl")));
    const json = JSON.parse(collected.stdout) as { judging: { judged: number; requests: number } };
    expect(json.judging).toMatchObject({ judged: 4, requests: 8 });
    expect(json.judging).not.toHaveProperty("costUsd");

    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 420_000);

  it("a worker started with --cache answers judge jobs from the verdicts kept there", async (ctx) => {
    const { url } = world.database(ctx, "judge_arena_cache");
    const cache = file("verdicts.sqlite");
    const alone = await runTpo(arenaArgs(file("cached-alone.jsonl"), "--cache", cache));
    expect(alone.code, alone.stderr).toBe(0);

    world.sim.stats.reset();
    const worker = startCli(["worker", url, "--concurrency", "2", "--lease", "3", "--cache", cache], {
      env: env(),
      timeoutMs: 400_000,
    });
    const collected = await runTpo(arenaArgs(file("cached-queued.jsonl"), "--queue", url));
    expect(collected.code, collected.stderr).toBe(0);
    expect(chatRequests()).toBe(0);
    expect(judgments(file("cached-queued.jsonl"))).toEqual(judgments(file("cached-alone.jsonl")));

    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 420_000);

  it("a judge job that fails its attempts is counted as in one process; the rerun puts it back and judges only it", async (ctx) => {
    const { url } = world.database(ctx, "judge_fails");
    const out = file("fails.jsonl");
    const [failing] = samplePrompts();
    world.sim.setFaults([
      { kind: "status", status: 400, message: "bad request", when: mentions(failing!.slice(0, 40)) },
    ]);
    const worker = startWorker(url);
    const first = await runTpo(arenaArgs(out, "--queue", url, "--max-attempts", "1"));
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      /tpo: 1 of 4 judge jobs failed \(q0: .*\)\. 3 of 4 are judged in .*fails\.jsonl; run the same command again/,
    );
    expect(judgments(out).size).toBe(3);

    world.sim.setFaults([]);
    world.sim.stats.reset();
    const again = await runTpo(arenaArgs(out, "--queue", url, "--max-attempts", "1"));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 new judge jobs on [^,]+, 1 failed ones put back\./);
    expect(again.stdout).toContain("Judged 1 now, 3 kept from earlier runs");
    expect(chatRequests()).toBe(2); // the one question, in both orders
    expect(judgments(out).size).toBe(4);

    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 420_000);

  it("a worker with another judge model fails the job, saying which, and judges nothing", async (ctx) => {
    const { url } = world.database(ctx, "judge_other");
    const worker = startWorker(url, { TPO_JUDGE_MODEL: "another-judge" });
    const result = await runTpo(arenaArgs(file("other.jsonl"), "--queue", url, "--max-attempts", "1"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /4 of 4 judge jobs failed \(q\d: this worker's judge is another-judge, the job asks for tpo-sim: start workers with the judge of tpo eval/,
    );
    expect(chatRequests()).toBe(0);
    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 420_000);
});
