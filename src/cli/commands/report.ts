import { basename } from "node:path";
import { writeWhole } from "../atomic-write.js";
import { refuseInputAsOut } from "../batch/out-file.js";
import { readLatestRecords } from "../../eval/batch/results-file.js";
import { summarize } from "../../eval/batch/summary.js";
import { formatSummary } from "../batch/summary-text.js";
import { readJudgments } from "../../eval/compare/judgments-file.js";
import { judgedInSimulation, judgmentsByJudge, summarizeJudgments } from "../../eval/compare/summary.js";
import { formatCompare } from "../compare/summary-text.js";
import type { ReportComparison } from "../../eval/report/compare-section.js";
import { comparisonDataOf, reportDataOf } from "../../eval/report/drilldown-data.js";
import { reportHtml } from "../../eval/report/html.js";
import { warnOnStderr } from "../warn.js";

export interface ReportOptions {
  out: string;
  compare: string[];
}

/** A compare file as the report shows it: one comparison per judge (a file resumed with another judge has two). */
function comparisonsOf(path: string): ReportComparison[] {
  return judgmentsByJudge(readJudgments(path, "--compare", warnOnStderr("tpo report"))).map((judgments) => {
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
  const records = readLatestRecords(results, { what: "<results>", warn: warnOnStderr("tpo report") });
  const comparisons = options.compare.flatMap(comparisonsOf);
  const summary = summarize(records);
  const data = reportDataOf(
    records,
    comparisons.map((c) => comparisonDataOf(c.judgments, { judge: c.judge, source: c.source })),
  );
  writeWhole(options.out, reportHtml(summary, basename(results), comparisons, data));
  console.log(formatSummary(summary));
  for (const c of comparisons) {
    console.log("");
    console.log(formatCompare(c.summary, { judge: c.judge, simulated: c.simulated }));
  }
  console.log(`Wrote ${options.out}`);
}
