import type { BatchSummary, ModeSummary } from "../batch/summary.js";
import { duration, formatNumber } from "../number-format.js";
import { compareSectionHtml, type ReportComparison } from "./compare-section.js";
import { escapeHtml } from "./escape.js";
import { lineChartSvg, type ChartSeries } from "./line-chart.js";

const COLORS: Record<string, string> = { tpo: "#1f5fbf", revision: "#e07b00", bon: "#2a9d4b" };

function seriesOf(summary: BatchSummary, value: "meanBest" | "meanNew"): ChartSeries[] {
  return summary.modes.map((m) => {
    const points = m.iterations.flatMap((it) =>
      it[value] === null ? [] : [[it.iteration, it[value]] as [number, number]],
    );
    const flat = m.mode === "bon";
    return {
      name: flat ? `bon (N=${m.width ?? "?"})` : m.label,
      points,
      color: COLORS[m.mode] ?? "#555",
      flat,
    };
  });
}

function scoreTable(modes: ModeSummary[]): string {
  const rows = modes.flatMap((m) =>
    m.iterations.map(
      (it) =>
        `<tr><td>${escapeHtml(m.label)}</td><td>${it.iteration}</td><td>${it.queries}</td><td>${formatNumber(it.meanBest)}</td><td>${formatNumber(it.meanNew)}</td></tr>`,
    ),
  );
  return `<table id="scores"><thead><tr><th>mode</th><th>iteration</th><th>queries</th><th>mean best reward</th><th>mean reward of new candidates</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function costTable(modes: ModeSummary[]): string {
  const rows = modes.map(
    (m) =>
      `<tr><td>${escapeHtml(m.label)}</td><td>${m.width ?? "-"}</td><td>${m.depth ?? "-"}</td><td>${m.queries}</td><td>${m.failed}</td><td>${formatNumber(m.meanFinalBest)}</td>` +
      `<td>${formatNumber(m.requestsPerQuery, 1)}</td><td>${formatNumber(m.untaggedPerQuery, 1)}</td><td>${formatNumber(m.tokensPerQuery, 0)}</td><td>${m.secondsPerQuery === null ? "-" : duration(m.secondsPerQuery * 1000)}</td></tr>`,
  );
  return `<table id="costs"><thead><tr><th>mode</th><th>N</th><th>D</th><th>queries</th><th>failed</th><th>final best</th><th>requests / query</th><th title="update outputs without the response tags">untagged rewrites / query</th><th>tokens / query</th><th>time / query</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function stopTable(modes: ModeSummary[]): string {
  const rows = modes.flatMap((m) =>
    m.stops.map(
      (s) =>
        `<tr><td>${m.mode}</td><td>${s.reason}</td><td>${s.queries}</td><td>${formatNumber(s.meanStoppedAt, 1)}</td></tr>`,
    ),
  );
  if (rows.length === 0) return "";
  return `<h2>Why runs stopped</h2>
<table id="stops"><thead><tr><th>mode</th><th title="depth, target, patience or budget">stopped by</th><th>queries</th><th>mean iteration stopped at</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 980px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.note { background: #fff6d6; border: 1px solid #e8d48a; padding: .6rem .9rem; border-radius: 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.meta { color: #555; font-size: .9rem; }
#compare td { white-space: nowrap; }
#compare th:nth-child(2), #compare td:nth-child(2) { text-align: left; }`;

/** One self-contained page: the test-time training figure and the summary tables; no external resources. */
export function reportHtml(
  summary: BatchSummary,
  source: string,
  comparisons: readonly ReportComparison[] = [],
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
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TPO report: ${escapeHtml(source)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Test-time preference optimization: ${escapeHtml(source)}</h1>
<p class="meta">${total} query results over ${summary.modes.length} mode${summary.modes.length === 1 ? "" : "s"}${summary.inputErrors ? `; ${summary.inputErrors} input lines unreadable` : ""}. Best-of-N is drawn as a dashed line at its mean best reward: it has no iterations, and samples N·(D+1) responses at once when run with <code>--modes</code>.</p>
${simulated ? `<p class="note" id="simulated">Simulated world: these numbers show the mechanics of TPO, not the behaviour of real models.</p>` : ""}
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
</body>
</html>
`;
}
