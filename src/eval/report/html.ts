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
import { duration, formatNumber } from "../../util/number-format.js";
import { compareSectionHtml, type ReportComparison } from "./compare-section.js";
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

function seriesOf(summary: BatchSummary, value: "meanBest" | "meanNew"): ChartSeries[] {
  return summary.modes.map((m) => {
    const points = m.iterations.flatMap((it) =>
      it[value] === null ? [] : [[it.iteration, it[value]] as [number, number]],
    );
    const flat = m.mode === "bon";
    return {
      name: flat ? `bon (N=${whole(m.width).replace("-", "?")})` : m.label,
      points,
      color: COLORS.get(m.mode) ?? "#555",
      flat,
    };
  });
}

function scoreTable(modes: ModeSummary[]): Html {
  const rows = modes.flatMap((m) =>
    m.iterations.map(
      (it) =>
        markup`<tr><td>${m.label}</td><td>${whole(it.iteration)}</td><td>${whole(it.queries)}</td><td>${formatNumber(it.meanBest)}</td><td>${formatNumber(it.meanNew)}</td></tr>`,
    ),
  );
  return markup`<table id="scores"><thead><tr><th>mode</th><th>iteration</th><th>queries</th><th>mean best reward</th><th>mean reward of new candidates</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function seconds(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "-" : duration(value * 1000);
}

function costTable(modes: ModeSummary[]): Html {
  const rows = modes.map(
    (m) =>
      markup`<tr><td>${m.label}</td><td>${whole(m.width)}</td><td>${whole(m.depth)}</td><td>${whole(m.queries)}</td><td>${whole(m.failed)}</td><td>${formatNumber(m.meanFinalBest)}</td><td>${formatNumber(m.requestsPerQuery, 1)}</td><td>${formatNumber(m.untaggedPerQuery, 1)}</td><td>${formatNumber(m.tokensPerQuery, 0)}</td><td>${seconds(m.secondsPerQuery)}</td></tr>`,
  );
  return markup`<table id="costs"><thead><tr><th>mode</th><th>N</th><th>D</th><th>queries</th><th>failed</th><th>final best</th><th>requests / query</th><th title="update outputs without the response tags">untagged rewrites / query</th><th>tokens / query</th><th>time / query</th></tr></thead><tbody>${rows}</tbody></table>`;
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
${compareSectionHtml(comparisons)}
<h2>Rewards per mode and iteration</h2>
${scoreTable(summary.modes)}
<h2>Cost per query</h2>
${costTable(summary.modes)}
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
