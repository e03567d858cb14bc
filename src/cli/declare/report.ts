import type { Command } from "commander";
import type { ReportOptions } from "../commands/report.js";
import type { CliIo } from "../io.js";

/** `tpo report`: declared here (light, for `--help`); ../commands/report.ts does the work. */
export function declareReport(program: Command, io: CliIo): void {
  program
    .command("report")
    .description(
      "Draw a batch's results: one self-contained HTML page with the test-time training chart and the summary",
    )
    .argument("<results>", "results file written by tpo batch (JSONL)")
    .requiredOption("--out <file.html>", "where to write the HTML page")
    .option(
      "--compare <file>",
      "a compare file written by tpo compare, shown as a pairwise comparison (repeat for several)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (results: string, options: ReportOptions) => {
      const { reportAction } = await import("../commands/report.js");
      reportAction(results, options, io);
    });
}
