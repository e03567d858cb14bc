import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startCli, tempDir, waitUntil } from "./helpers/cli.js";
import { childrenOf, LangSmithCapture } from "./helpers/langsmith-capture.js";
import { useQueueWorld } from "./helpers/queue-world.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { simServerEnv } from "./helpers/sim-http.js";

const world = useQueueWorld({ sim: true });
const capture = new LangSmithCapture("multipart");
afterAll(() => capture.close());

describe("tpo batch --queue --langsmith-experiment", () => {
  it("each worker uploads its jobs' runs, linked to their examples, with their iteration trees; the waiting batch adds none", async (ctx) => {
    const { url } = world.database(ctx, "langsmith_queue");
    const endpoint = await capture.start();
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

    const detached = await runCli([...args, "--detach", "--langsmith-experiment", "q"], {
      env: simServerEnv(world.sim, langsmith),
    });
    expect(detached.code).toBe(2);
    expect(detached.stderr).toContain("--detach with --langsmith-experiment does not go with --queue");
  }, 360_000);
});
