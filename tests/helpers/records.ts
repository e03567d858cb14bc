import { existsSync, readFileSync } from "node:fs";
import type { BatchRecord } from "../../src/eval/batch/record.js";
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

/** The reference sample prompts: the copy that ships in the package's data/ folder. */
export function samplePromptsPath(): string {
  return defaultSamplePromptsPath();
}

export function samplePrompts(): string[] {
  return JSON.parse(readFileSync(samplePromptsPath(), "utf8")) as string[];
}
