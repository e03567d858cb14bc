import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import { readLatestRecords } from "../batch/results-file.js";
import { formatSummary, summarize } from "../batch/summary.js";
import { readJudgments } from "../compare/judgments-file.js";
import { formatCompare, judgedInSimulation, judgeName, summarizeJudgments } from "../compare/summary.js";
import type { ReportComparison } from "../report/compare-section.js";
import { comparisonDataOf, reportDataOf } from "../report/drilldown-data.js";
import { reportHtml } from "../report/html.js";

export interface ReportOptions {
  out: string;
  compare: string[];
}

/** A compare file as the report shows it. */
function comparisonOf(path: string): ReportComparison {
  const judgments = readJudgments(path, "--compare");
  return {
    summary: summarizeJudgments(judgments),
    judge: judgeName(judgments[0]),
    simulated: judgedInSimulation(judgments),
    source: basename(path),
    judgments,
  };
}

/** `tpo report`'s work; ../declare/report.ts declares the command and loads this on demand. */
export function reportAction(results: string, options: ReportOptions): void {
  const records = readLatestRecords(results, "<results>", "tpo report");
  const comparisons = options.compare.map(comparisonOf);
  const summary = summarize(records);
  const data = reportDataOf(
    records,
    comparisons.map((c) => comparisonDataOf(c.judgments, { judge: c.judge, source: c.source })),
  );
  writeFileSync(options.out, reportHtml(summary, basename(results), comparisons, data));
  console.log(formatSummary(summary));
  for (const c of comparisons) {
    console.log("");
    console.log(formatCompare(c.summary, { judge: c.judge, simulated: c.simulated }));
  }
  console.log(`Wrote ${options.out}`);
}
