import { basename } from "node:path";
import { writeWhole } from "../atomic-write.js";
import { refuseInputAsOut } from "../batch/out-file.js";
import { readLatestRecords } from "../batch/results-file.js";
import { formatSummary, summarize, type BatchSummary } from "../batch/summary.js";
import { readJudgments } from "../compare/judgments-file.js";
import {
  formatCompare,
  judgedInSimulation,
  judgmentsByJudge,
  summarizeJudgments,
} from "../compare/summary.js";
import type { ReportComparison } from "../report/compare-section.js";
import { costCurveOf, type CostSeries } from "../report/cost-curve.js";
import { comparisonDataOf, reportDataOf } from "../report/drilldown-data.js";
import { reportHtml } from "../report/html.js";

export interface ReportOptions {
  out: string;
  compare: string[];
  json?: boolean;
}

/** A compare file as the report shows it: one comparison per judge (a file resumed with another judge has two). */
function comparisonsOf(path: string): ReportComparison[] {
  return judgmentsByJudge(readJudgments(path, "--compare")).map((judgments) => {
    const summary = summarizeJudgments(judgments);
    return {
      summary,
      judge: summary.judge,
      simulated: judgedInSimulation(judgments),
      source: basename(path),
      judgments,
    };
  });
}

/** `tpo report`'s work; ../declare/report.ts declares the command and loads this on demand. */
export function reportAction(results: string, options: ReportOptions): void {
  refuseInputAsOut(options.out, [
    { path: results, what: "<results>" },
    ...options.compare.map((path) => ({ path, what: "--compare" })),
  ]);
  // The page shows every query's texts (its drill-down), so whole records are kept.
  const records = readLatestRecords(results, "<results>", "tpo report");
  const comparisons = options.compare.flatMap(comparisonsOf);
  const summary = summarize(records);
  const data = reportDataOf(
    records,
    comparisons.map((c) => comparisonDataOf(c.judgments, { judge: c.judge, source: c.source })),
  );
  const costCurve = costCurveOf(records, summary);
  writeWhole(options.out, reportHtml(summary, basename(results), comparisons, data, costCurve));
  if (options.json) {
    console.log(JSON.stringify(reportJson(summary, costCurve, comparisons)));
    console.error(`Wrote ${options.out}`);
    return;
  }
  console.log(formatSummary(summary));
  for (const c of comparisons) {
    console.log("");
    console.log(formatCompare(c.summary, { judge: c.judge, simulated: c.simulated }));
  }
  console.log(`Wrote ${options.out}`);
}

/** What `tpo report --json` prints: the figures of the page, without the queries' texts. */
function reportJson(summary: BatchSummary, costCurve: CostSeries[], comparisons: ReportComparison[]) {
  return {
    summary,
    costCurve,
    comparisons: comparisons.map((c) => ({ ...c.summary, simulated: c.simulated, source: c.source })),
  };
}
