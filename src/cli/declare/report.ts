import type { Command } from "commander";
import type { ReportOptions } from "../commands/report.js";

/** `tpo report`: declared here (light, for `--help`); ../commands/report.ts does the work. */
export function declareReport(program: Command): void {
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
    .option(
      "--json",
      "print the summary, the cost-versus-quality curve's points and the comparisons as one JSON object instead of tables",
    )
    .action(async (results: string, options: ReportOptions) => {
      const { reportAction } = await import("../commands/report.js");
      reportAction(results, options);
    });
}
