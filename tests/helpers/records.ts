import { existsSync, readFileSync } from "node:fs";
import type { BatchRecord } from "../../src/cli/batch/record.js";
import { defaultSamplePromptsPath } from "../../src/cli/paths.js";

/** The complete records of a results file (a cut-short last line is left out). */
export function readRecords(path: string): BatchRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .slice(0, -1)
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as BatchRecord);
}

export function samplePrompts(): string[] {
  return JSON.parse(readFileSync(defaultSamplePromptsPath(), "utf8")) as string[];
}
