import type { Command } from "commander";
import type { ExportOptions } from "../commands/export.js";

/** `tpo export`: declared here (light, for `--help`); ../commands/export.ts does the work. */
export function declareExport(program: Command): void {
  program
    .command("export")
    .description(
      "Write a batch's answers in the format an evaluation suite reads: AlpacaEval, Arena-Hard, or the reference's JSON",
    )
    .argument("<results>", "results file written by tpo batch (JSONL)")
    .requiredOption(
      "--format <format>",
      "alpaca-eval (model_outputs JSON list), arena-hard (model_answer JSONL) or official (the reference implementation's JSON)",
    )
    .requiredOption("--out <file>", "where to write the answers")
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
    .action(async (results: string, options: ExportOptions) => {
      const { exportAction } = await import("../commands/export.js");
      await exportAction(results, options);
    });
}
