import { samplePromptsPath } from "./helpers/records.js";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), "tpo-bench-smoke-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("npm run bench -- --quick", () => {
  it("runs every measure against the sim server process and writes results.json and RESULTS.md", async () => {
    const recorded = join("bench", "results.json");
    const recordedMtime = () => (existsSync(recorded) ? statSync(recorded).mtimeMs : null);
    const before = recordedMtime();
    // As a child process, like `npm run bench`: it forks the sim server and the memory client itself.
    await run(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        "tsx",
        "bench/run.ts",
        "--quick",
        "--out",
        outDir,
        "--prompts",
        samplePromptsPath(),
      ],
      { timeout: 240_000, env: { ...process.env, BENCH_SMOKE: "1" } },
    );
    const results = JSON.parse(readFileSync(join(outDir, "results.json"), "utf8"));
    expect(results.quick).toBe(true);
    expect(Object.keys(results.machine).sort()).toEqual(
      ["cores", "cpu", "date", "load", "loadAfter", "node", "platform"].sort(),
    );
    expect(Object.keys(results.measures).sort()).toEqual(
      [
        ...["growth", "orchestration", "overhead", "promptSize", "roundTrips", "throughput"],
        ...["prefixCache", "stopping", "pools", "scaleout"],
        ...["startup", "coldQuery", "batch", "reportPage", "middleware", "evalScoring", "cache"],
      ].sort(),
    );
    // The leaderboard scoring timed each scoring; the cache's seeded re-run sent no request.
    expect(results.measures.evalScoring.alpacaEvalLc805Ms).toBeGreaterThan(0);
    expect(results.measures.cache.fill.requests).toBeGreaterThan(0);
    expect(results.measures.cache.rerun.requests).toBe(0);
    expect(results.measures.prefixCache.rows.map((r: { criticLayout: string }) => r.criticLayout)).toEqual([
      "separate",
      "conversation",
    ]);
    expect(results.measures.stopping.rows[0].tokens).toBeGreaterThan(0);
    expect(
      results.measures.pools.rows.map(
        (r: { servers: number; affinity: string }) => `${r.servers} ${r.affinity}`,
      ),
    ).toEqual(["1 on", "2 on", "2 round robin"]);
    // The job queue: a plain batch, one with checkpoints, then the queue with 1 and 2 workers, all
    // records written. Without PostgreSQL's programs the measure says so (under CI they are installed).
    const scaleout = results.measures.scaleout;
    if (!process.env.CI && scaleout.unavailable) {
      process.stderr.write(`bench smoke: scaleout not measured: ${scaleout.unavailable}\n`);
    } else {
      expect(scaleout.rows.map((r: { run: string }) => r.run)).toEqual([
        "plain tpo batch",
        "plain tpo batch --checkpoint postgres://",
        "tpo batch --queue, 1 worker",
        "tpo batch --queue, 2 workers",
      ]);
      expect(scaleout.rows[2].sqlPerJob.queue.ms).toBeGreaterThan(0);
      expect(scaleout.rows[2].sqlPerJob.checkpoints.ms).toBeGreaterThan(0);
      expect(scaleout.rows[3].jobsPerWorker.reduce((s: number, n: number) => s + n, 0)).toBe(6);
    }
    // The CLI measures: one cold query makes the formula's requests; tracing to a closed port says so once.
    expect(results.measures.coldQuery.requests).toBe(8);
    expect(results.measures.coldQuery.tracingUnreachable.stderrLines).toHaveLength(1);
    expect(results.measures.roundTrips.every((r: { met: boolean }) => r.met)).toBe(true);
    expect(results.measures.overhead[0]).toMatchObject({ ratio: { median: expect.any(Number) } });
    expect(results.measures.orchestration.memory[0].maxRssMb).toBeGreaterThan(0);
    expect(results.measures.promptSize.iterations[0].critiqueChars).toBeGreaterThan(0);
    expect(results.measures.middleware.agentWithTpoMs.median).toBeGreaterThan(0);

    const markdown = readFileSync(join(outDir, "RESULTS.md"), "utf8");
    expect(markdown).toContain("## Summary");
    expect(markdown).toContain("simulated server");
    expect(markdown).toContain("## 7. Prefix cache");
    expect(markdown).toContain("## 9. The CLI as a user meets it");
    expect(markdown).toContain("## 13. `tpoMiddleware` in a `createAgent` run");
    expect(markdown).toContain(results.machine.node);
    // The quick run never touches the recorded results.
    expect(recordedMtime()).toBe(before);
  }, 270_000);
});
