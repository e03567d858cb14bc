import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ROOT,
  runCli as runCliFor,
  runCliInProcess,
  startCli,
  tempDir,
  waitUntil,
  type CliOptions,
  type InProcessOptions,
} from "./helpers/cli.js";
import type { PostgresServer } from "./helpers/postgres.js";
import { rows, throttled } from "./helpers/queue.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { mentions, simServerEnv } from "./helpers/sim-http.js";
import { useQueueWorld } from "./helpers/queue-world.js";

/** A CLI run with a deadline for a loaded 2-core machine (the helper's default is 50 s). */
const runCli = (args: string[], options: CliOptions = {}) =>
  runCliFor(args, { timeoutMs: 120_000, ...options });
/** The same in this process: the queue's URL on the command line, no PG* variables. */
const runTpo = (args: string[], options: InProcessOptions = {}) =>
  runCliInProcess(args, { timeoutMs: 120_000, ...options });

// A real PostgreSQL server and the simulated world over HTTP; the workers are `tpo` processes.
const world = useQueueWorld({ sim: true });
const needServer = world.postgres;

function count(pg: PostgresServer, database: string, sql: string): number {
  return Number(pg.query(database, sql).trim());
}

/** Rows of LangGraph's checkpoint tables: what the jobs' runs saved and no one deleted. */
const CHECKPOINT_ROWS =
  "SELECT (SELECT count(*) FROM checkpoints) + (SELECT count(*) FROM checkpoint_blobs) + (SELECT count(*) FROM checkpoint_writes)";

function promptsFile(dir: string, prompts: unknown[]): string {
  const input = join(dir, "prompts.json");
  writeFileSync(input, JSON.stringify(prompts));
  return input;
}

function startWorker(url: string, env: Record<string, string | undefined> = {}) {
  return startCli(["worker", url, "--concurrency", "2", "--lease", "3"], {
    env: simServerEnv(world.sim, env),
    timeoutMs: 400_000,
  });
}

const SETTINGS = ["--depth", "1", "--width", "2", "--seed", "5"];

describe("tpo batch --queue: enqueuing", () => {
  it("makes each job once: two batches at once on a fresh database, then the same command again", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("enqueue_twice");
    const url = pg.url("enqueue_twice");
    const dir = tempDir();
    const input = promptsFile(dir, samplePrompts().slice(0, 8));
    const args = (out: string) => [
      "batch",
      input,
      "--queue",
      url,
      "--out",
      join(dir, out),
      ...SETTINGS,
      "--detach",
    ];

    const both = await Promise.all([runTpo(args("a.jsonl")), runTpo(args("b.jsonl"))]);
    for (const result of both) expect(result.code, result.stderr).toBe(0);
    const added = both.map((r) => Number(/(\d+) new jobs?/.exec(r.stderr)![1]));
    expect(added[0] + added[1]).toBe(8);
    expect(count(pg, "enqueue_twice", "SELECT count(*) FROM tpo_pgboss.job")).toBe(8);
    expect(count(pg, "enqueue_twice", "SELECT count(*) FROM tpo_queue.jobs")).toBe(8);

    const again = await runTpo(args("a.jsonl"));
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("0 new jobs");
    expect(again.stderr).toContain("8 queued or running already");
    expect(count(pg, "enqueue_twice", "SELECT count(*) FROM tpo_pgboss.job")).toBe(8);
    // Another setting is another experiment: new jobs.
    const other = await runTpo([...args("c.jsonl"), "--width", "3"]);
    expect(other.stderr).toContain("8 new jobs");
    expect(count(pg, "enqueue_twice", "SELECT count(*) FROM tpo_queue.jobs")).toBe(16);
  }, 360_000);

  it("the waiting batch killed and started again writes what is missing, and nothing twice", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("batch_restart");
    const url = pg.url("batch_restart");
    const dir = tempDir();
    const input = promptsFile(dir, samplePrompts().slice(10, 20));
    const out = join(dir, "out.jsonl");
    const args = ["batch", input, "--queue", url, "--out", out, ...SETTINGS, "--quiet"];
    world.sim.setLatency({ fixedMs: 100 });
    const worker = startWorker(url);
    const waiting = startCli(args, { env: simServerEnv(world.sim), timeoutMs: 400_000 });
    await waitUntil(() => readRecords(out).length >= 2, 120_000, "two records");
    waiting.child.kill("SIGKILL");
    expect((await waiting.done).signal).toBe("SIGKILL");
    const before = readRecords(out).length;
    expect(before).toBeLessThan(10);
    await waitUntil(
      throttled(() => count(pg, "batch_restart", "SELECT count(*) FROM tpo_queue.results") === 10),
      120_000,
      "every job done",
    );

    const again = await runTpo(args, { env: simServerEnv(world.sim), timeoutMs: 120_000 });
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("mean best");
    const records = readRecords(out);
    expect(records).toHaveLength(10);
    expect(new Set(records.map((r) => r.id)).size).toBe(10);
    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 420_000);
});

describe("a query that keeps failing", () => {
  it("fails after --max-attempts with its error while the others complete; status, results and retry see it", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("poison");
    const url = pg.url("poison");
    const dir = tempDir();
    const input = join(dir, "queries.jsonl");
    writeFileSync(
      input,
      [
        ...samplePrompts()
          .slice(20, 24)
          .map((prompt, i) => JSON.stringify({ id: `q${i}`, prompt })),
        JSON.stringify({ id: "bad", prompt: "FAILME please" }),
      ].join("\n"),
    );
    world.sim.setFaults([{ kind: "status", status: 400, message: "bad request", when: mentions("FAILME") }]);
    const out = join(dir, "out.jsonl");
    const args = [
      "batch",
      input,
      "--queue",
      url,
      "--out",
      out,
      ...SETTINGS,
      "--max-attempts",
      "2",
      "--retry-delay",
      "1",
    ];
    const secret = "sk-test-never-printed";
    const worker = startWorker(url, { OPENAI_API_KEY: secret });

    const failed = await runTpo(args, { env: simServerEnv(world.sim), timeoutMs: 120_000 });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("tpo batch: bad (tpo): the generate step failed");
    expect(failed.stderr).toMatch(/1 of 5 queries failed: bad \(tpo\)/);
    const records = readRecords(out);
    expect(records.map((r) => r.id).sort()).toEqual(["bad", "q0", "q1", "q2", "q3"]);
    const bad = records.find((r) => r.id === "bad")!;
    expect(bad.error).toMatchObject({ step: "generate", source: "line 5" });
    expect(bad.error!.message).toContain("400");
    expect(records.filter((r) => r.error)).toEqual([bad]);
    expect(readFileSync(out, "utf8")).not.toContain(secret);
    expect(rows(pg, "poison", "SELECT attempt FROM tpo_queue.results WHERE NOT ok")).toEqual([["2"]]);
    // Each record is kept: no job's checkpoints stay, the failed one's neither (after its last attempt).
    await waitUntil(
      throttled(() => count(pg, "poison", CHECKPOINT_ROWS) === 0),
      60_000,
      "the finished jobs' checkpoints deleted",
    );

    const status = await runTpo(["queue", "status", url, "--json"]);
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as {
      jobs: Record<string, number>;
      workers: {
        host: string;
        pid: number;
        state: string;
        done: number;
        failed: number;
        lastHeartbeat: string;
      }[];
      datasets: { dataset: string; total: number }[];
    };
    expect(json.jobs).toEqual({ total: 5, queued: 0, active: 0, done: 4, failed: 1 });
    expect(json.workers).toHaveLength(1);
    expect(json.workers[0]).toMatchObject({ pid: worker.child.pid, state: "running", done: 4, failed: 2 });
    expect(Date.parse(json.workers[0].lastHeartbeat)).not.toBeNaN();
    expect(json.datasets).toEqual([{ dataset: "queries", total: 5, done: 4, failed: 1 }]);
    const shown = await runTpo(["queue", "status", url]);
    expect(shown.stdout).toContain("jobs: 5 in all · 0 queued · 0 active · 4 done · 1 failed");
    expect(shown.stdout).toMatch(new RegExp(`\\s${worker.child.pid}\\s+running\\s`));

    const all = join(dir, "all.jsonl");
    const results = await runTpo(["queue", "results", url, "--out", all]);
    expect(results.code).toBe(0);
    expect(results.stderr).toContain("wrote 5 records to");
    expect(
      readRecords(all)
        .map((r) => r.id)
        .sort(),
    ).toEqual(records.map((r) => r.id).sort());
    expect((await runTpo(["queue", "results", url, "--out", all])).code).toBe(2);

    world.sim.setFaults([]);
    const retried = await runTpo(["queue", "retry", url]);
    expect(retried.code).toBe(0);
    expect(retried.stderr).toContain("put 1 failed job back in the queue");
    const collected = await runTpo([...args, "--retry-failed", "--quiet"], {
      env: simServerEnv(world.sim),
      timeoutMs: 120_000,
    });
    expect(collected.stderr).toBe("");
    expect(collected.code).toBe(0);
    const latest = readRecords(out).filter((r) => r.id === "bad");
    expect(latest).toHaveLength(2);
    expect(latest[1].error).toBeUndefined();
    expect(latest[1].best).toBeDefined();
    expect(JSON.parse((await runTpo(["queue", "status", url, "--json"])).stdout).jobs).toMatchObject({
      done: 5,
      failed: 0,
    });
    worker.child.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  }, 420_000);
});

/** A port of 127.0.0.1 where nothing listens. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe("bad queue settings", () => {
  it("get one clear line and the right exit code, never the password", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("guarded");
    pg.addPasswordUser("secret_user", "right-password");
    pg.query("postgres", "CREATE ROLE reader LOGIN");
    const port = pg.port;
    const dir = tempDir();
    const input = promptsFile(dir, ["one prompt"]);
    const out = join(dir, "out.jsonl");
    const batch = (url: string, extra: string[] = []) => [
      "batch",
      input,
      "--queue",
      url,
      "--out",
      out,
      ...extra,
    ];
    const hide = join(ROOT, "tests", "helpers", "hide-packages.mjs");

    const cases: { args: string[]; code: number; says: string; options?: object }[] = [
      { args: batch("mysql://tpo:s3cret@127.0.0.1/db"), code: 2, says: "is not a PostgreSQL URL" },
      {
        args: ["worker", `postgres://secret_user:wrong-s3cret@127.0.0.1:${port}/guarded`],
        code: 2,
        says: "PostgreSQL refused the login",
      },
      {
        args: ["queue", "status", pg.url("no_such_database")],
        code: 2,
        says: 'database "no_such_database" does not exist',
      },
      {
        args: ["queue", "status", `postgres://reader@127.0.0.1:${port}/guarded`],
        code: 2,
        says: "the user may not set up or use the queue's tables",
      },
      {
        args: ["queue", "retry", `postgres://tpo:s3cret@127.0.0.1:${await closedPort()}/q`],
        code: 1,
        says: "no PostgreSQL server answered",
      },
      {
        args: ["worker", pg.url("guarded")],
        code: 2,
        says: "tpo worker needs the package pg-boss",
        options: { nodeArgs: ["--import", hide], env: { TPO_HIDE_PACKAGES: "pg-boss" } },
      },
      {
        args: batch(pg.url("guarded"), ["--shard", "0/2"]),
        code: 2,
        says: "--shard does not go with --queue",
      },
      { args: batch(pg.url("guarded"), ["--resume"]), code: 2, says: "--resume does not go with --queue" },
      {
        args: batch(pg.url("guarded"), ["--base-url", "http://x/v1"]),
        code: 2,
        says: "--base-url does not go with --queue",
      },
      { args: ["batch", input, "--out", out, "--detach"], code: 2, says: "--detach goes with --queue" },
      // A password with a "/" ends the URL's host part early: refused, never shown.
      ...[
        ["worker", `postgres://secret_user:1234/s3cret@127.0.0.1:${port}/guarded`],
        ["queue", "status", `postgres://secret_user:right/s3cret@127.0.0.1:${port}/guarded`],
        batch(`postgresql://secret_user:a?s3cret#c@127.0.0.1:${port}/guarded`, ["--detach"]),
      ].map((args) => ({ args, code: 2, says: "%2F" })),
      { args: ["queue", "status"], code: 2, says: "or set TPO_QUEUE_URL" },
    ];
    // Five at a time: ten CLI processes at once would crowd a small machine.
    const results = [];
    for (let i = 0; i < cases.length; i += 5) {
      const group = cases.slice(i, i + 5);
      results.push(
        ...(await Promise.all(
          group.map((c) =>
            // A worker and a hidden package need a process of their own.
            c.args[0] === "worker" || c.options
              ? runCli(c.args, { timeoutMs: 90_000, ...c.options })
              : runTpo(c.args, { timeoutMs: 90_000 }),
          ),
        )),
      );
    }
    results.forEach((result, i) => {
      const { args, code, says } = cases[i];
      const what = args.join(" ");
      expect(result.code, what).toBe(code);
      expect(result.stderr, what).toContain(says);
      expect(result.stderr.trim().split("\n"), what).toHaveLength(1);
      expect(result.stderr, what).not.toMatch(/s3cret|right-password/);
    });
    // Nothing was set up by the user without rights.
    expect(pg.query("guarded", "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tpo_%'").trim()).toBe(
      "0",
    );
  }, 420_000);
});

describe("the queue's URL and password outside the command line", () => {
  it("come from TPO_QUEUE_URL, PGPASSWORD or a password file, for the worker, the batch and the status", async (ctx) => {
    const pg = needServer(ctx);
    const password = "pa/ss:w@rd";
    pg.addPasswordUser("env_user", password);
    pg.query("postgres", "CREATE DATABASE from_env OWNER env_user");
    const dir = tempDir();
    const passfile = join(dir, "pgpass");
    writeFileSync(passfile, `127.0.0.1:${pg.port}:from_env:env_user:${password.replace(/:/g, "\\:")}\n`, {
      mode: 0o600,
    });
    const where = `postgres://env_user@127.0.0.1:${pg.port}/from_env`;
    const status = (env: Record<string, string>) => runCli(["queue", "status"], { env, timeoutMs: 90_000 });

    const cases: [string, Record<string, string>][] = [
      ["PGPASSWORD", { TPO_QUEUE_URL: where, PGPASSWORD: password }],
      ["PGPASSFILE", { TPO_QUEUE_URL: where, PGPASSFILE: passfile }],
      [
        "a percent-encoded password in TPO_QUEUE_URL",
        {
          TPO_QUEUE_URL: `postgres://env_user:${encodeURIComponent(password)}@127.0.0.1:${pg.port}/from_env`,
        },
      ],
    ];
    for (const [what, env] of cases) {
      const result = await status(env);
      expect(result.code, `${what}: ${result.stderr}`).toBe(0);
      expect(result.stdout, what).toMatch(
        /^Queue postgres:\/\/env_user(:\*\*\*)?@127\.0\.0\.1:\d+\/from_env$/m,
      );
      // pg 8 reads a password file with a deprecation warning (pg 9 drops password files): nothing else.
      const notes = result.stderr
        .split("\n")
        .filter((l) => l && !/DeprecationWarning: pgpass|--trace-deprecation/.test(l));
      expect(notes, what).toEqual([]);
      expect(result.stdout, what).not.toMatch(/w@rd|w%40rd/);
    }
    const wrong = await status({ TPO_QUEUE_URL: where, PGPASSWORD: "wrong" });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("PostgreSQL refused the login");

    const env = { TPO_QUEUE_URL: where, PGPASSWORD: password };
    const input = promptsFile(dir, ["one prompt"]);
    const batch = await runCli(["batch", input, "--queue", "--out", join(dir, "out.jsonl"), "--detach"], {
      env: simServerEnv(world.sim, env),
      timeoutMs: 90_000,
    });
    expect(batch.code, batch.stderr).toBe(0);
    expect(batch.stderr).toContain(`1 new job on ${where}`);
    // The worker opens the queue and its checkpointer (two pools of the driver) before this line.
    const worker = startCli(["worker", "--concurrency", "1"], {
      env: simServerEnv(world.sim, env),
      timeoutMs: 120_000,
    });
    await waitUntil(
      () => worker.output().includes(`takes jobs from ${where}`),
      90_000,
      "the worker's first line",
    );
    await waitUntil(
      throttled(() => count(pg, "from_env", "SELECT count(*) FROM tpo_queue.results") === 1),
      90_000,
      "the job done",
    );
    worker.child.kill("SIGTERM");
    const stopped = await worker.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).not.toContain("w@rd");
  }, 420_000);
});
