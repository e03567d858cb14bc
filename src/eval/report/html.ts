import {
  compressedBlock,
  inlineScript,
  inlineStyle,
  jsonBlock,
  markup,
  offlinePolicy,
  type Html,
} from "../../web/html.js";
import { REPORT_PAGE_SCRIPT } from "../../web/page-scripts.generated.js";
import {
  REPORT_DETAILS_ID,
  REPORT_ROWS_ID,
  encodeRows,
  storyChunks,
  type QueryDetail,
  type ReportRows,
} from "../../web/report-data.js";
import type { BatchSummary, ModeSummary } from "../batch/summary.js";
import { duration, formatNumber, formatUsd } from "../../util/number-format.js";
import { compareSectionHtml, type ReportComparison } from "./compare-section.js";
import type { CostSeries } from "./cost-curve.js";
import type { LeaderboardRow } from "./leaderboard.js";
import { leaderboardSectionHtml } from "./leaderboard-section.js";
import { lineChartSvg, type ChartSeries } from "./line-chart.js";
import { REPORT_STYLE } from "./style.js";

const COLORS = new Map([
  ["tpo", "#1f5fbf"],
  ["revision", "#e07b00"],
  ["bon", "#2a9d4b"],
]);

/** A count from a results file (a width, say): a whole number, or "-" for anything else. */
function whole(value: unknown): string {
  return typeof value === "number" && Number.isInteger(value) ? String(value) : "-";
}

/** A mode's name on the charts: best-of-N with its N. */
function seriesName(m: Pick<ModeSummary, "mode" | "label" | "width">): string {
  return m.mode === "bon" ? `bon (N=${whole(m.width).replace("-", "?")})` : m.label;
}

function seriesOf(summary: BatchSummary, value: "meanBest" | "meanNew"): ChartSeries[] {
  return summary.modes.map((m) => {
    const points = m.iterations.flatMap((it) =>
      it[value] === null ? [] : [[it.iteration, it[value]] as [number, number]],
    );
    return { name: seriesName(m), points, color: COLORS.get(m.mode) ?? "#555", flat: m.mode === "bon" };
  });
}

/** The curve's series against tokens or USD; best-of-N's points, prorated, dashed. */
function costSeriesOf(
  summary: BatchSummary,
  curve: CostSeries[],
  x: "meanTokens" | "meanCostUsd",
): ChartSeries[] {
  return curve.map((s) => {
    const mode = summary.modes.find((m) => m.mode === s.mode && m.label === s.label);
    const points = s.points.flatMap((p) => (p[x] === null ? [] : [p]));
    return {
      name: seriesName({ ...s, width: mode?.width ?? null }),
      points: points.map((p) => [p[x]!, p.meanBest] as [number, number]),
      pointLabels: points.map((p) =>
        p.iteration === null
          ? `${formatNumber(p.samples, 1).replace(/\.0$/, "")} samples`
          : `iteration ${p.iteration}`,
      ),
      color: COLORS.get(s.mode) ?? "#555",
      dashed: s.mode === "bon",
    };
  });
}

/** Mean best reward against mean cost per query, in tokens, and in USD when every point has a price. */
function costSection(summary: BatchSummary, curve: CostSeries[], simulated: boolean): Html {
  if (curve.every((s) => s.points.length === 0)) return markup``;
  const chart = (id: string, x: "meanTokens" | "meanCostUsd", xLabel: string) =>
    lineChartSvg({
      id,
      title: "Mean best reward against mean cost per query",
      xLabel,
      yLabel: "mean best reward",
      series: costSeriesOf(summary, curve, x),
      valueAxis: true,
    });
  const priced = curve.every((s) => s.points.every((p) => p.meanCostUsd !== null));
  return markup`<h2>Cost against quality</h2>
<p class="meta">Each point is a mode after an iteration: the mean best reward of the queries that reached it, against the tokens (prompt and completion) they had spent by then. Where a line flattens, more iterations stop paying. Best-of-N (dashed) is drawn at the same spends: the best of its first samples that those tokens buy, at its own tokens per sample (its tokens prorated by sample count, an estimate), up to the samples it drew.${priced ? "" : " Cost in USD is drawn when every record carries a price (usage.costUsd)."} <code>tpo report --json</code> holds the points.</p>
${simulated ? markup`<p class="note" id="cost-simulated">Simulated world: this curve shows the mechanics only; where real models stop paying is for a real batch to say.</p>` : ""}
<div class="charts">
${chart("chart-cost", "meanTokens", "mean tokens per query, spent so far")}
${priced ? chart("chart-cost-usd", "meanCostUsd", "mean USD per query, spent so far") : ""}
</div>`;
}

function scoreTable(modes: ModeSummary[]): Html {
  const rows = modes.flatMap((m) =>
    m.iterations.map(
      (it) =>
        markup`<tr><td>${m.label}</td><td>${whole(it.iteration)}</td><td>${whole(it.queries)}</td><td>${formatNumber(it.meanBest)}</td><td>${formatNumber(it.meanNew)}</td><td>${formatNumber(it.meanLength, 0)}</td><td>${formatNumber(it.meanTokens, 0)}</td></tr>`,
    ),
  );
  return markup`<table id="scores"><thead><tr><th>mode</th><th>iteration</th><th>queries</th><th>mean best reward</th><th>mean reward of new candidates</th><th title="characters (Unicode code points, as alpaca_eval's avg_length) of the best answer after the iteration, mean over queries">length</th><th title="prompt and completion tokens spent up to and including the iteration, mean over queries">tokens so far</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function seconds(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "-" : duration(value * 1000);
}

/** The money columns, when the records carry costs (run with prices): per query, and the mode's total. */
function usdCells(m: ModeSummary, priced: boolean): Html {
  return priced ? markup`<td>${formatUsd(m.costPerQuery)}</td><td>${formatUsd(m.costUsd)}</td>` : markup``;
}

function costTable(summary: BatchSummary): Html {
  const priced = summary.costUsd !== null;
  const rows = summary.modes.map(
    (m) =>
      markup`<tr><td>${m.label}</td><td>${whole(m.width)}</td><td>${whole(m.depth)}</td><td>${whole(m.queries)}</td><td>${whole(m.failed)}</td><td>${formatNumber(m.meanFinalBest)}</td><td>${formatNumber(m.requestsPerQuery, 1)}</td><td>${formatNumber(m.untaggedPerQuery, 1)}</td><td>${formatNumber(m.tokensPerQuery, 0)}</td><td>${seconds(m.secondsPerQuery)}</td>${usdCells(m, priced)}</tr>`,
  );
  const usdHeads = priced ? markup`<th>USD / query</th><th>USD</th>` : markup``;
  const total = priced
    ? markup`<p class="meta" id="total-cost">Cost: $${formatUsd(summary.costUsd)} in total, at the prices the batch was run with.</p>`
    : markup``;
  return markup`<table id="costs"><thead><tr><th>mode</th><th>N</th><th>D</th><th>queries</th><th>failed</th><th>final best</th><th>requests / query</th><th title="update outputs without the response tags">untagged rewrites / query</th><th>tokens / query</th><th>time / query</th>${usdHeads}</tr></thead><tbody>${rows}</tbody></table>${total}`;
}

function stopTable(modes: ModeSummary[]): Html {
  const rows = modes.flatMap((m) =>
    m.stops.map(
      (s) =>
        markup`<tr><td>${m.mode}</td><td>${s.reason}</td><td>${whole(s.queries)}</td><td>${formatNumber(s.meanStoppedAt, 1)}</td></tr>`,
    ),
  );
  if (rows.length === 0) return markup``;
  return markup`<h2>Why runs stopped</h2>
<table id="stops"><thead><tr><th>mode</th><th title="depth, target, patience or budget">stopped by</th><th>queries</th><th>mean iteration stopped at</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * One self-contained page: the test-time training figure, the summary tables, and every query's
 * iterations (the page's script draws the queries table and a page per query from the data,
 * embedded once: the table's rows as JSON before the script, so that the table works at once; the
 * queries' stories after it, compressed in chunks, of which the page inflates the one a query's
 * page needs). No external resource; a Content-Security-Policy lets only the page's
 * own script and style run, and no request leave.
 */
export function reportHtml(
  summary: BatchSummary,
  source: string,
  comparisons: readonly ReportComparison[] = [],
  data: { rows: ReportRows; stories: QueryDetail[] } = {
    rows: { queries: [], comparisons: [], settings: [], storiesPerChunk: 1 },
    stories: [],
  },
  costCurve: CostSeries[] = [],
  leaderboard: readonly LeaderboardRow[] = [],
): string {
  const simulated = summary.backends.includes("sim");
  const total = summary.modes.reduce((s, m) => s + m.queries, 0);
  const best = lineChartSvg({
    id: "chart-best",
    title: "Mean best reward by iteration",
    xLabel: "iteration (0 = first samples)",
    yLabel: "mean best reward",
    series: seriesOf(summary, "meanBest"),
  });
  const fresh = lineChartSvg({
    id: "chart-new",
    title: "Mean reward of each iteration's new candidates",
    xLabel: "iteration (0 = first samples)",
    yLabel: "mean reward of new candidates",
    series: seriesOf(summary, "meanNew"),
  });
  const modes = summary.modes.length;
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${offlinePolicy(REPORT_PAGE_SCRIPT, REPORT_STYLE)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>TPO report: ${source}</title>
${inlineStyle(REPORT_STYLE)}
</head>
<body>
<div id="overview">
<h1>Test-time preference optimization: ${source}</h1>
<p class="meta">${whole(total)} query results over ${whole(modes)} mode${modes === 1 ? "" : "s"}${summary.inputErrors ? markup`; ${whole(summary.inputErrors)} input lines unreadable` : ""}. Best-of-N is drawn as a dashed line at its mean best reward: it has no iterations, and samples N·(D+1) responses at once when run with <code>--modes</code>. <a href="#queries-title">Every query</a> is listed below: open one to read its iterations.</p>
${simulated ? markup`<p class="note" id="simulated">Simulated world: these numbers show the mechanics of TPO, not the behaviour of real models.</p>` : ""}
<div class="charts">
${best}
${fresh}
</div>
${leaderboardSectionHtml(leaderboard)}
${compareSectionHtml(comparisons)}
<h2>Rewards per mode and iteration</h2>
${scoreTable(summary.modes)}
<p class="meta">Length: mean characters of the best answer after the iteration (Unicode code points, as alpaca_eval's avg_length counts them); a reward that rises with the length may be paying for length. Tokens: mean spent per query up to and including the iteration.</p>
${costSection(summary, costCurve, simulated)}
<h2>Cost per query</h2>
${costTable(summary)}
${stopTable(summary.modes)}
<h2 id="queries-title">Queries</h2>
<p class="meta">Every query result of the file: sort by a column, search by text, click a row to read its iterations (candidates and scores, critique, suggestions, the new best's word diff, the answer${comparisons.length > 0 ? ", the judge's verdicts" : ""}).</p>
<div id="queries"><p class="meta">The queries table needs JavaScript.</p></div>
</div>
<main id="query-page" hidden></main>
${jsonBlock(REPORT_ROWS_ID, encodeRows(data.rows))}
${inlineScript(REPORT_PAGE_SCRIPT)}
${compressedBlock(REPORT_DETAILS_ID, storyChunks(data.stories, data.rows.storiesPerChunk))}
</body>
</html>
`.markup;
}
