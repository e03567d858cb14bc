import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { readLatestRecords } from "../batch/results-file.js";
import { formatSummary, summarize } from "../batch/summary.js";
import { readJudgments } from "../compare/judgments-file.js";
import { formatCompare, judgedInSimulation, judgeName, summarizeJudgments } from "../compare/summary.js";
import type { ReportComparison } from "../report/compare-section.js";
import { reportHtml } from "../report/html.js";

/** A compare file as the report shows it. */
function comparisonOf(path: string): ReportComparison {
  const judgments = readJudgments(path, "--compare");
  return {
    summary: summarizeJudgments(judgments),
    judge: judgeName(judgments[0]),
    simulated: judgedInSimulation(judgments),
    source: basename(path),
  };
}

export function registerReport(program: Command): void {
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
    .action((results: string, options: { out: string; compare: string[] }) => {
      const records = readLatestRecords(results, "<results>", "tpo report");
      const comparisons = options.compare.map(comparisonOf);
      const summary = summarize(records);
      writeFileSync(options.out, reportHtml(summary, basename(results), comparisons));
      console.log(formatSummary(summary));
      for (const c of comparisons) {
        console.log("");
        console.log(formatCompare(c.summary, { judge: c.judge, simulated: c.simulated }));
      }
      console.log(`Wrote ${options.out}`);
    });
}
