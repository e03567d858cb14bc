import type { Command } from "commander";

/** `tpo report`: declared here (light, for `--help`); ../commands/report.ts does the work. */
export function declareReport(program: Command): void {
  program
    .command("report")
    .description(
      "Draw a batch's results: one self-contained HTML page with the test-time training chart and the summary",
    )
    .argument("<results>", "results file written by tpo batch (JSONL)")
    .requiredOption("--out <file.html>", "where to write the HTML page")
    .action(async (results: string, options: { out: string }) => {
      const { reportAction } = await import("../commands/report.js");
      reportAction(results, options);
    });
}
