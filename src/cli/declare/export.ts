import type { Command } from "commander";
import type { ExportOptions } from "../commands/export.js";
import type { CliIo } from "../io.js";

/** `tpo export`: declared here (light, for `--help`); ../commands/export.ts does the work. */
export function declareExport(program: Command, io: CliIo): void {
  program
    .command("export")
    .description(
      "Write a batch's answers in the format an evaluation suite reads: AlpacaEval, Arena-Hard, or the reference's JSON",
    )
    .argument("<results>", "results file written by tpo batch (JSONL)")
    .requiredOption(
      "--format <format>",
      "alpaca-eval (model_outputs JSON list), arena-hard (model_answer JSONL), official (the reference implementation's JSON), or langsmith (experiments in LangSmith, with --langsmith-experiment)",
    )
    .option("--out <file>", "where to write the answers (every format but langsmith)")
    .option(
      "--mode <side>",
      "whose answers: tpo, revision, bon, or first (first:<mode>): the runs' first samples",
      "tpo",
    )
    .option(
      "--model-name <name>",
      "the model's name in the file (AlpacaEval's generator, Arena-Hard's model); default: the policy and the side",
    )
    .option("--dataset <name>", "alpaca-eval: the dataset field of every entry (e.g. helpful_base)")
    .option("--overwrite", "replace --out when it exists")
    .option(
      "--langsmith-experiment <name>",
      "langsmith: upload the records as experiments <name>-<mode> (runs with feedback scores) on a dataset of the queries",
    )
    .option(
      "--langsmith-dataset <name>",
      "langsmith: the dataset of the queries (default: the results file's name)",
    )
    .action(async (results: string, options: ExportOptions) => {
      const { exportAction } = await import("../commands/export.js");
      await exportAction(results, options, io);
    });
}
