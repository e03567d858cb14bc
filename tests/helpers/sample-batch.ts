import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { BatchRecord } from "../../src/eval/batch/record.js";
import { runCliInProcess, tempDir } from "./cli.js";
import { readRecords, samplePrompts } from "./records.js";

/** What sampleBatch made: its folder, the results file in it, and that file's records. */
export interface SampleBatch {
  dir: string;
  results: string;
  records: BatchRecord[];
}

/**
 * `tpo batch` of the first `queries` sample prompts, in-process in the simulated world, into
 * `results.jsonl` of `dir` (default: a new temporary folder, removed by removeTempDirs); `flags`
 * are the batch's settings (default width 2, depth 1). Fails the calling hook unless it exits 0.
 */
export async function sampleBatch(
  queries: number,
  flags: string[] = ["--width", "2", "--depth", "1"],
  dir = tempDir(),
): Promise<SampleBatch> {
  const prompts = join(dir, "prompts.json");
  writeFileSync(prompts, JSON.stringify(samplePrompts().slice(0, queries)));
  const results = join(dir, "results.jsonl");
  const batch = await runCliInProcess(["batch", prompts, "--out", results, "--quiet", ...flags]);
  expect(batch.code, batch.stderr).toBe(0);
  return { dir, results, records: readRecords(results) };
}
