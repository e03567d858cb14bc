import type { Command } from "commander";
import type { CompareOptions } from "../commands/compare.js";
import { addJudgeFlags, JUDGE_CACHE_FLAG } from "../flag-tables.js";
import type { CliIo } from "../io.js";

/** `tpo compare`: declared here (light, for `--help`); ../commands/compare.ts does the work. */
export function declareCompare(program: Command, io: CliIo): void {
  const command = program
    .command("compare")
    .description(
      "Judge two sides of batch results pairwise with an LLM judge, in both orders: win rate, ties, 95% bootstrap interval",
    )
    .argument("<results>", "results file written by tpo batch (JSONL)")
    .argument("[other]", "a second results file: --a picks from <results>, --b from this one")
    .requiredOption("--a <side>", "side a: tpo, revision, bon, or first (first:<mode>): a run's first sample")
    .requiredOption("--b <side>", "side b, as --a")
    .option(
      "--out <file>",
      "compare file (JSONL): one judgment appended per pair as it finishes (default: <results>.<a>-vs-<b>.jsonl beside <results>)",
    )
    .option("--resume", "continue: skip the pairs that already have a judgment in --out")
    .option(
      "--allow-mixed-judges",
      "with --resume, add verdicts of another judge (model or server) than the file's; the summary keeps the judges apart",
    )
    .option("--overwrite", "start --out afresh, discarding its judgments")
    .option("--concurrency <k>", "pairs in flight at once", "4")
    .option("--json", "print the result as one JSON object on standard output")
    .option("--quiet", "no progress on standard error")
    .option(...JUDGE_CACHE_FLAG)
    .option(
      "--langsmith <experiment>",
      "attach the verdicts to LangSmith experiments <experiment>-<mode> (as uploaded by tpo batch/export; <name>,<other> with two files) as a comparative experiment",
    );
  addJudgeFlags(command);
  command.action(async (first: string, second: string | undefined, options: CompareOptions) => {
    const { compareAction } = await import("../commands/compare.js");
    await compareAction(first, second, options, io);
  });
}
