import { basename } from "node:path";
import { writeWhole } from "../atomic-write.js";
import { refuseInputAsOut } from "../batch/out-file.js";
import { readLatestRecords } from "../../eval/batch/results-file.js";
import { summarize, type BatchSummary } from "../../eval/batch/summary.js";
import { formatSummary } from "../batch/summary-text.js";
import { readJudgments } from "../../eval/compare/judgments-file.js";
import { formatCompare } from "../compare/summary-text.js";
import { reportComparisonsOf, type ReportComparison } from "../../eval/report/compare-section.js";
import { costCurveOf, type CostSeries } from "../../eval/report/cost-curve.js";
import { comparisonDataOf, reportDataOf } from "../../eval/report/drilldown-data.js";
import { reportHtml } from "../../eval/report/html.js";
import { readGamedBaselines } from "../../eval/alpaca-eval/gamed-baselines.js";
import { leaderboardRowsOf, type LeaderboardRow } from "../../eval/report/leaderboard.js";
import { readTextInput } from "../read-input.js";
import { leaderboardText } from "../eval/leaderboard-text.js";
import { warnOnStderr } from "../warn.js";
import { writeLine, type CliIo } from "../io.js";
import { asUsage } from "./eval-score.js";

export interface ReportOptions {
  out: string;
  compare: string[];
  leaderboard: string[];
  gamed?: string;
  json?: boolean;
}

/** A compare file as the report shows it (`reportComparisonsOf`). */
function comparisonsOf(path: string, warn: (message: string) => void): ReportComparison[] {
  return reportComparisonsOf(readJudgments(path, "--compare", warn), basename(path));
}

/** The leaderboard's rows: one per scored file (AlpacaEval), or per model and category (Arena-Hard). */
function leaderboardOf(files: readonly string[], gamedPath: string | undefined): LeaderboardRow[] {
  const gamed =
    gamedPath === undefined
      ? undefined
      : asUsage(() => readGamedBaselines(readTextInput(gamedPath, "--gamed"), gamedPath));
  return files.flatMap((path) =>
    asUsage(() =>
      leaderboardRowsOf({ source: basename(path), text: readTextInput(path, "--leaderboard") }, gamed),
    ),
  );
}

/** `tpo report`'s work; ../declare/report.ts declares the command and loads this on demand. */
export function reportAction(results: string, options: ReportOptions, io: CliIo): void {
  const warn = warnOnStderr("tpo report", io.stderr);
  refuseInputAsOut(options.out, [
    { path: results, what: "<results>" },
    ...options.compare.map((path) => ({ path, what: "--compare" })),
    ...options.leaderboard.map((path) => ({ path, what: "--leaderboard" })),
    ...(options.gamed ? [{ path: options.gamed, what: "--gamed" }] : []),
  ]);
  const leaderboard = leaderboardOf(options.leaderboard, options.gamed);
  // The page shows every query's texts (its drill-down), so whole records are kept.
  const records = readLatestRecords(results, { what: "<results>", warn });
  const comparisons = options.compare.flatMap((path) => comparisonsOf(path, warn));
  const summary = summarize(records);
  const data = reportDataOf(
    records,
    comparisons.map((c) => comparisonDataOf(c.judgments, { judge: c.judge, source: c.source })),
  );
  const costCurve = costCurveOf(records, summary);
  writeWhole(options.out, reportHtml(summary, basename(results), comparisons, data, costCurve, leaderboard));
  if (options.json) {
    writeLine(io.stdout, JSON.stringify(reportJson(summary, costCurve, comparisons, leaderboard)));
    writeLine(io.stderr, `Wrote ${options.out}`);
    return;
  }
  writeLine(io.stdout, formatSummary(summary));
  if (leaderboard.length > 0) {
    writeLine(io.stdout);
    writeLine(io.stdout, leaderboardText(leaderboard));
  }
  for (const c of comparisons) {
    writeLine(io.stdout);
    writeLine(io.stdout, formatCompare(c.summary, { judge: c.judge, simulated: c.simulated }));
  }
  writeLine(io.stdout, `Wrote ${options.out}`);
}

/** What `tpo report --json` prints: the figures of the page, without the queries' texts. */
function reportJson(
  summary: BatchSummary,
  costCurve: CostSeries[],
  comparisons: ReportComparison[],
  leaderboard: LeaderboardRow[],
) {
  return {
    summary,
    costCurve,
    comparisons: comparisons.map((c) => ({ ...c.summary, simulated: c.simulated, source: c.source })),
    leaderboard,
  };
}
