import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { BatchRecord } from "../../src/eval/batch/record.js";
import type { SimServer } from "../../src/sim/server.js";
import { runCliInProcess, startCli, tempDir, waitUntil, type CliResult } from "./cli.js";
import { readRecords, samplePrompts } from "./records.js";
import { simServerEnv } from "./sim-http.js";

/** How many queries, their depth and the batch's concurrency in the scenario. */
export const KILLED_BATCH = { queries: 8, depth: 3, concurrency: 2 };

/** A query whose thread has this many checkpoints has got past its first model calls. */
const HALF_DONE_CHECKPOINTS = 4;

export interface KilledAndResumed {
  /** The batch's arguments (add `--resume` to resume it), its environment, and its input file. */
  args: string[];
  env: Record<string, string | undefined>;
  input: string;
  dir: string;
  /** The records written before the kill. */
  beforeResume: BatchRecord[];
  /** Queries the kill caught after their first steps, without a record. */
  halfDone: string[];
  /** The `--resume` run, and every record after it. */
  resumed: CliResult;
  records: BatchRecord[];
}

/**
 * The crash scenario of `tpo batch --checkpoint`, for any checkpointer: a batch of the first
 * sample prompts against the simulated server over HTTP, every request slowed to 100 ms so that
 * the process is caught with queries half done; SIGKILLed once two records are written and a query
 * without a record has checkpoints; then run again with `--resume` at full speed. It checks what
 * holds for every checkpointer (killed by the signal, some records before, a query half done, every
 * query recorded once, with all its iterations, after the resume) and returns the rest to check.
 * `checkpointed(steps)` lists the query ids whose thread has at least `steps` checkpoints.
 */
export async function killMidBatchAndResume(
  sim: SimServer,
  checkpoint: string,
  checkpointed: (steps: number) => string[],
): Promise<KilledAndResumed> {
  const { queries, depth, concurrency } = KILLED_BATCH;
  const dir = tempDir();
  const input = join(dir, "prompts.json");
  writeFileSync(input, JSON.stringify(samplePrompts().slice(0, queries)));
  const out = join(dir, "out.jsonl");
  const args = [
    "batch",
    input,
    "--out",
    out,
    "--checkpoint",
    checkpoint,
    "--concurrency",
    String(concurrency),
    "--depth",
    String(depth),
    "--quiet",
  ];
  const env = simServerEnv(sim);

  sim.setLatency({ fixedMs: 100 });
  const { child, done } = startCli(args, { env });
  await waitUntil(
    () => {
      const finished = new Set(readRecords(out).map((r) => r.id));
      return finished.size >= 2 && checkpointed(HALF_DONE_CHECKPOINTS).some((id) => !finished.has(id));
    },
    40_000,
    "two records and a query in progress",
  );
  child.kill("SIGKILL");
  expect((await done).signal).toBe("SIGKILL");
  const beforeResume = readRecords(out);
  expect(beforeResume.length).toBeGreaterThanOrEqual(2);
  expect(beforeResume.length).toBeLessThan(queries);
  const finishedBefore = new Set(beforeResume.map((r) => r.id));
  const halfDone = checkpointed(HALF_DONE_CHECKPOINTS).filter((id) => !finishedBefore.has(id));
  expect(halfDone.length).toBeGreaterThan(0);

  sim.setLatency({});
  const resumed = await runCliInProcess([...args, "--resume"], { env });
  expect(resumed.code, resumed.stderr).toBe(0);
  const records = readRecords(out);
  const ids = records.map((r) => r.id);
  expect(ids).toHaveLength(queries);
  expect(new Set(ids).size).toBe(queries);
  expect(records.every((r) => !r.error && r.history!.length === depth + 1)).toBe(true);
  return { args, env, input, dir, beforeResume, halfDone, resumed, records };
}
