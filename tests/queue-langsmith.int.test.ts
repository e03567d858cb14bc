import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { runCli, startCli, tempDir, waitUntil } from "./helpers/cli.js";
import { childrenOf, LangSmithCapture } from "./helpers/langsmith-capture.js";
import { useQueueWorld } from "./helpers/queue-world.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv } from "./helpers/sim-http.js";
import { stableUuid } from "../src/langsmith/ids.js";

const world = useQueueWorld({ sim: true });
const capture = new LangSmithCapture("multipart");
let endpoint = "";
beforeAll(async () => {
  endpoint = await capture.start();
});
afterAll(() => capture.close());

describe("tpo batch --queue --langsmith-experiment", () => {
  it("each worker uploads its jobs' runs, linked to their examples, with their iteration trees; the waiting batch adds none", async (ctx) => {
    const { url } = world.database(ctx, "langsmith_queue");
    const langsmith = { LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: "lsv2_queue_key_not_sent" };
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 4)));
    const out = join(dir, "out.jsonl");
    // The worker traces (LANGSMITH_TRACING); the waiting batch does not: a run with child runs is a worker's.
    const worker = startCli(["worker", url, "--concurrency", "2"], {
      env: simServerEnv(world.sim, { ...langsmith, LANGSMITH_TRACING: "true" }),
      timeoutMs: 300_000,
    });
    const args = ["batch", input, "--queue", url, "--out", out, "--depth", "1", "--width", "2", "--quiet"];
    const result = await runCli([...args, "--langsmith-experiment", "q"], {
      env: simServerEnv(world.sim, langsmith),
      timeoutMs: 240_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("LangSmith");
    const records = readRecords(out);
    expect(records).toHaveLength(4);
    expect(capture.projects.map((p) => p.name)).toEqual(["q-tpo"]);
    expect(capture.examples).toHaveLength(4);

    const runs = capture.runs();
    const roots = [...runs.values()].filter((r) => !r.parent_run_id);
    expect(roots.map((r) => r.session_name)).toEqual(["q-tpo", "q-tpo", "q-tpo", "q-tpo"]);
    for (const record of records) {
      const example = capture.examples.find((e) => (e.metadata as { tpo_id: string }).tpo_id === record.id)!;
      const linked = roots.filter((r) => r.reference_example_id === example.id);
      expect(linked, record.id).toHaveLength(1);
      expect(childrenOf(runs, linked[0]).map((r) => r.name)).toEqual(
        expect.arrayContaining(["generate", "reward", "select", "critique", "gradient", "update"]),
      );
      const feedback = capture.feedback.filter((f) => f.run_id === linked[0].id).map((f) => f.key);
      expect(feedback.sort()).toEqual(
        ["iterations", "reward", "reward_gain", "first_samples_reward", "stop_reason", "tokens"].sort(),
      );
    }
    worker.child.kill("SIGTERM");
    await waitUntil(() => worker.output().includes("stopped:"), 60_000);
    expect(worker.output()).not.toMatch(/not uploaded|deprecat|\[LANGSMITH\]/i);
  }, 360_000);

  it("with --detach, the workers upload the runs; the same command without it collects and adds none", async (ctx) => {
    const { url } = world.database(ctx, "langsmith_queue_detached");
    const langsmith = { LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: "lsv2_queue_key_not_sent" };
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 3)));
    const out = join(dir, "out.jsonl");
    const args = ["batch", input, "--queue", url, "--out", out, "--depth", "1", "--width", "2", "--quiet"];
    const env = simServerEnv(world.sim, langsmith);
    const detached = await runCli([...args, "--detach", "--langsmith-experiment", "d"], { env });
    expect(detached.code, detached.stderr).toBe(0);
    expect(detached.stderr).toContain("detached");
    const worker = startCli(["worker", url, "--concurrency", "2"], { env, timeoutMs: 300_000 });
    const rootsOf = () =>
      [...capture.runs().values()].filter((r) => r.session_name === "d-tpo" && !r.parent_run_id);
    await waitUntil(() => rootsOf().length >= 3, 120_000, "the workers' three runs in d-tpo");
    const collected = await runCli([...args, "--langsmith-experiment", "d"], { env, timeoutMs: 240_000 });
    expect(collected.code, collected.stderr).toBe(0);
    expect(readRecords(out)).toHaveLength(3);
    expect(rootsOf()).toHaveLength(3);
    worker.child.kill("SIGTERM");
    await waitUntil(() => worker.output().includes("stopped:"), 60_000);
    expect(worker.output()).not.toContain("not uploaded");
  }, 360_000);

  it("without tracing, a worker makes the run from its record", async (ctx) => {
    await uploadsOfWorkers(ctx, "u", endpoint);
  }, 360_000);

  it("a worker that cannot reach LangSmith says so, and the waiting batch uploads the runs", async (ctx) => {
    await uploadsOfWorkers(ctx, "f", `http://127.0.0.1:${await closedPort()}`);
  }, 360_000);
});

/** A batch of 3 queries on the queue into experiment `<name>-tpo`, its worker's LangSmith at `workerEndpoint`, untraced. */
async function uploadsOfWorkers(ctx: TestContext, name: string, workerEndpoint: string): Promise<void> {
  const { url } = world.database(ctx, `langsmith_queue_${name}`);
  const langsmith = { LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: "lsv2_queue_key_not_sent" };
  const dir = tempDir();
  const input = join(dir, "prompts.json");
  writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 3)));
  const out = join(dir, "out.jsonl");
  const worker = startCli(["worker", url, "--concurrency", "2"], {
    env: simServerEnv(world.sim, {
      ...langsmith,
      LANGSMITH_ENDPOINT: workerEndpoint,
    }),
    timeoutMs: 300_000,
  });
  const result = await runCli(
    ["batch", input, "--queue", url, "--out", out, "--depth", "1", "--width", "2", "--quiet"].concat([
      "--langsmith-experiment",
      name,
    ]),
    { env: simServerEnv(world.sim, langsmith), timeoutMs: 240_000 },
  );
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toContain("LangSmith");
  const records = readRecords(out);
  expect(records).toHaveLength(3);
  const experiment = capture.projects.find((p) => p.name === `${name}-tpo`)!;
  const roots = [...capture.runs().values()].filter((r) => r.session_name === experiment.name);
  // The waiting batch's runs have ids of the record's query id and end (its uploads from --out).
  const fromBatch = new Set(records.map((r) => stableUuid(experiment.id, `${r.id}\u0000${r.finishedAt}`)));
  for (const record of records) {
    const example = capture.examples.find(
      (e) =>
        e.dataset_id === experiment.reference_dataset_id &&
        (e.metadata as { tpo_id: string }).tpo_id === record.id,
    )!;
    const linked = roots.filter((r) => r.reference_example_id === example.id);
    expect(linked, record.id).toHaveLength(1);
    expect(linked[0].outputs).toEqual({ output: record.best!.text });
    expect(capture.feedback.filter((f) => f.run_id === linked[0].id).map((f) => f.key)).toContain("reward");
    expect(fromBatch.has(linked[0].id), record.id).toBe(name === "f");
  }
  expect(roots).toHaveLength(3);
  worker.child.kill("SIGTERM");
  await waitUntil(() => worker.output().includes("stopped:"), 60_000);
  const notUploaded = worker
    .output()
    .split("\n")
    .filter((line) => line.includes("not uploaded"));
  if (name === "u") expect(notUploaded).toEqual([]);
  else {
    expect(notUploaded).toHaveLength(3);
    expect(notUploaded[0]).toMatch(
      /was not uploaded to LangSmith experiment f-tpo: LangSmith \(http:\/\/127\.0\.0\.1:\d+\) connection refused; the waiting tpo batch uploads it from the records\.$/,
    );
  }
}

/** A port of 127.0.0.1 that nothing listens on (it did a moment ago): connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
