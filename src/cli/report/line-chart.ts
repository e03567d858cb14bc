import { escapeHtml } from "./escape.js";

export interface ChartSeries {
  name: string;
  /** [x, y] points; a series with one point and `flat` is drawn as a horizontal reference line. */
  points: [number, number][];
  color: string;
  /** A reference drawn across the whole x range (best-of-N has no iterations). */
  flat?: boolean;
}

export interface LineChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
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
export function lineChartSvg(options: LineChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  const margin = { top: 40, right: 120, bottom: 50, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = options.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = options.series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = Math.max(1, ...xs);
  const yLow = ys.length ? Math.min(...ys) : 0;
  const yHigh = ys.length ? Math.max(...ys) : 1;
  const pad = Math.max(0.25, (yHigh - yLow) * 0.08);
  const step = niceStep(yHigh + pad - (yLow - pad), 5);
  const yMin = Math.floor((yLow - pad) / step) * step;
  const yMax = Math.ceil((yHigh + pad) / step) * step;
  const sx = (x: number) => margin.left + (x / xMax) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg id="${options.id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`,
    `<text class="chart-title" x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="600">${escapeHtml(options.title)}</text>`,
  );
  for (let i = 0; yMin + i * step <= yMax + step / 1000; i++) {
    const y = yMin + i * step;
    parts.push(
      `<line class="grid" x1="${margin.left}" x2="${margin.left + plotW}" y1="${f(sy(y))}" y2="${f(sy(y))}" stroke="#e3e3e3"/>`,
      `<text class="tick" x="${margin.left - 8}" y="${f(sy(y) + 4)}" text-anchor="end" font-size="12">${Number(y.toFixed(2))}</text>`,
    );
  }
  for (let x = 0; x <= xMax; x++) {
    parts.push(
      `<text class="tick" x="${f(sx(x))}" y="${margin.top + plotH + 18}" text-anchor="middle" font-size="12">${x}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<line class="axis" x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<text class="axis-label" x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle" font-size="13">${escapeHtml(options.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeHtml(options.yLabel)}</text>`,
  );
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const name = escapeHtml(series.name);
    const points: [number, number][] = series.flat
      ? [
          [0, series.points[0][1]],
          [xMax, series.points[0][1]],
        ]
      : series.points;
    const coords = points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(" ");
    const dash = series.flat ? ` stroke-dasharray="6 4"` : "";
    parts.push(
      `<polyline class="series" data-series="${name}" points="${coords}" fill="none" stroke="${series.color}" stroke-width="2.5"${dash}/>`,
    );
    for (const [x, y] of series.flat ? [] : points) {
      parts.push(
        `<circle class="point" data-series="${name}" cx="${f(sx(x))}" cy="${f(sy(y))}" r="4" fill="${series.color}"><title>${name}, iteration ${x}: ${y.toFixed(3)}</title></circle>`,
      );
    }
    const [lastX, lastY] = points[points.length - 1];
    parts.push(
      `<text class="series-label" data-series="${name}" x="${f(sx(lastX) + 8)}" y="${f(sy(lastY) + 4)}" font-size="13" fill="${series.color}">${name}</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}
