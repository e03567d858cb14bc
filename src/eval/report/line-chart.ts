import { markup, type Html } from "../../web/html.js";

export interface ChartSeries {
  name: string;
  /** [x, y] points; a series with one point and `flat` is drawn as a horizontal reference line. */
  points: [number, number][];
  color: string;
  /** A reference drawn across the whole x range (best-of-N has no iterations). */
  flat?: boolean;
  /** Drawn dashed (an estimate). */
  dashed?: boolean;
  /** What each point is, for its tooltip (default: "iteration x"). */
  pointLabels?: string[];
}

export interface LineChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** x is a measured value (tokens, USD) with round ticks from 0, rather than an iteration number. */
  valueAxis?: boolean;
  width?: number;
  height?: number;
}

/** A round step (1, 2, 2.5 or 5 times a power of ten) that splits the span into about `count` parts. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? raw;
}

const f = (n: number) => n.toFixed(1);

/** A self-contained SVG line chart: axes, grid, one polyline per series, labels at the line ends. */
export function lineChartSvg(options: LineChartOptions): Html {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  const margin = { top: 40, right: 120, bottom: 50, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  // Points come from results files: only finite numbers are drawn.
  const series = options.series.map((s) => {
    const finite = s.points.map(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    return {
      ...s,
      points: s.points.filter((_, i) => finite[i]),
      pointLabels: s.pointLabels?.filter((_, i) => finite[i]),
    };
  });
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xStep = options.valueAxis && xs.length ? niceStep(Math.max(...xs) || 1, 5) : 1;
  const xMax = options.valueAxis ? xStep * Math.ceil(Math.max(xStep, ...xs) / xStep) : Math.max(1, ...xs);
  const yLow = ys.length ? Math.min(...ys) : 0;
  const yHigh = ys.length ? Math.max(...ys) : 1;
  const pad = Math.max(0.25, (yHigh - yLow) * 0.08);
  const step = niceStep(yHigh + pad - (yLow - pad), 5);
  const yMin = Math.floor((yLow - pad) / step) * step;
  const yMax = Math.ceil((yHigh + pad) / step) * step;
  const sx = (x: number) => margin.left + (x / xMax) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  const parts: Html[] = [];
  for (let i = 0; yMin + i * step <= yMax + step / 1000; i++) {
    const y = yMin + i * step;
    parts.push(
      markup`<line class="grid" x1="${margin.left}" x2="${margin.left + plotW}" y1="${f(sy(y))}" y2="${f(sy(y))}" stroke="#e3e3e3"/>`,
      markup`<text class="tick" x="${margin.left - 8}" y="${f(sy(y) + 4)}" text-anchor="end" font-size="12">${Number(y.toFixed(2))}</text>`,
    );
  }
  for (let i = 0; i * xStep <= xMax + xStep / 1000; i++) {
    const x = i * xStep;
    parts.push(
      markup`<text class="tick" x="${f(sx(x))}" y="${margin.top + plotH + 18}" text-anchor="middle" font-size="12">${Number(x.toPrecision(6))}</text>`,
    );
  }
  parts.push(
    markup`<line class="axis" x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#333"/>`,
    markup`<line class="axis" x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#333"/>`,
    markup`<text class="axis-label" x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle" font-size="13">${options.xLabel}</text>`,
    markup`<text class="axis-label" transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="13">${options.yLabel}</text>`,
  );
  for (const s of series) {
    if (s.points.length === 0) continue;
    const points: [number, number][] = s.flat
      ? [
          [0, s.points[0][1]],
          [xMax, s.points[0][1]],
        ]
      : s.points;
    const coords = points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(" ");
    const dash = s.flat || s.dashed ? markup` stroke-dasharray="6 4"` : "";
    parts.push(
      markup`<polyline class="series" data-series="${s.name}" points="${coords}" fill="none" stroke="${s.color}" stroke-width="2.5"${dash}/>`,
    );
    for (const [i, [x, y]] of (s.flat ? [] : points).entries()) {
      const what = s.pointLabels?.[i] ?? `iteration ${x}`;
      parts.push(
        markup`<circle class="point" data-series="${s.name}" cx="${f(sx(x))}" cy="${f(sy(y))}" r="4" fill="${s.color}"><title>${s.name}, ${what}: ${y.toFixed(3)}</title></circle>`,
      );
    }
    const [lastX, lastY] = points[points.length - 1];
    parts.push(
      markup`<text class="series-label" data-series="${s.name}" x="${f(sx(lastX) + 8)}" y="${f(sy(lastY) + 4)}" font-size="13" fill="${s.color}">${s.name}</text>`,
    );
  }
  return markup`<svg id="${options.id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${options.title}">
<text class="chart-title" x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="600">${options.title}</text>
${parts.map(
  (p) => markup`${p}
`,
)}</svg>`;
}
