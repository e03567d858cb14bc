import { existsSync } from "node:fs";
import { previousResults, readResults } from "../batch/results-file.js";
import { CliUsageError } from "../errors.js";
import type { Judgment } from "./judgment.js";

/** The latest judgment of each pair (a pair judged again replaces its earlier judgment). */
function latestById(judgments: Judgment[]): Map<string, Judgment> {
  return new Map(judgments.map((j) => [j.id, j]));
}

function sidesOf(judgments: Iterable<Judgment>): string[] {
  return [...new Set([...judgments].map((j) => `${j.a} vs ${j.b}`))];
}

/**
 * What an earlier run left in the compare file: nothing, or with --resume its judgments by pair id.
 * A compare file holds one comparison: judgments of other sides are a usage error.
 */
export function previousJudgments(
  path: string,
  options: { resume?: boolean; overwrite?: boolean },
  sides: { a: string; b: string },
): Map<string, Judgment> {
  const previous = previousResults<Judgment>(path, options, "tpo compare");
  const other = sidesOf(previous.filter((j) => j.a !== sides.a || j.b !== sides.b));
  if (other.length > 0) {
    throw new CliUsageError(
      `--out ${path} holds a comparison of ${other.join(", ")}, not of ${sides.a} vs ${sides.b}: ` +
        "give another --out, or --overwrite to start it again.",
    );
  }
  return latestById(previous);
}

/** The judgments of a compare file, for `tpo report --compare`: one comparison, at least one pair. */
export function readJudgments(path: string, flag: string): Judgment[] {
  if (!existsSync(path)) throw new CliUsageError(`${flag}: file not found: ${path}`);
  const read = readResults<Judgment>(path);
  const judgments = [...latestById(read.records.filter((j) => j.outcome !== undefined)).values()];
  if (judgments.length === 0) throw new CliUsageError(`${flag}: ${path} has no judgments.`);
  const sides = sidesOf(judgments);
  if (sides.length > 1) {
    throw new CliUsageError(
      `${flag}: ${path} mixes comparisons (${sides.join(", ")}); give one file per comparison.`,
    );
  }
  return judgments;
}
