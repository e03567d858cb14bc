import { svg } from "./dom.js";
import { fixed } from "./format.js";

export interface RewardPoints {
  /** Every scored candidate: the iteration that made it, and its score. */
  candidates: { iteration: number; score: number }[];
  /** The pool's best after each iteration. */
  best: { iteration: number; score: number }[];
  /** Iterations on the x axis, at least. */
  iterations: number;
}

const W = 520;
const H = 220;
const M = { top: 16, right: 16, bottom: 36, left: 48 };

/** Reward by iteration: each candidate a dot at the iteration that wrote it, the best so far a line. */
export function rewardChart(points: RewardPoints): SVGElement {
  const ys = [...points.candidates.map((c) => c.score), ...points.best.map((b) => b.score)];
  const low = ys.length ? Math.min(...ys) : 0;
  const high = ys.length ? Math.max(...ys) : 1;
  const pad = Math.max(0.1, (high - low) * 0.08);
  const yMin = low - pad;
  const yMax = high + pad;
  const xMax = Math.max(1, points.iterations);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (x / xMax) * plotW;
  const sy = (y: number) => M.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;
  const parts: SVGElement[] = [];
  for (const y of [yMin + pad, (yMin + yMax) / 2, yMax - pad]) {
    parts.push(
      svg("line", { class: "grid", x1: M.left, x2: W - M.right, y1: sy(y), y2: sy(y) }),
      svg("text", { class: "tick", x: M.left - 6, y: sy(y) + 4, "text-anchor": "end" }, fixed(y, 1)),
    );
  }
  for (let x = 0; x <= xMax; x++) {
    parts.push(svg("text", { class: "tick", x: sx(x), y: H - M.bottom + 16, "text-anchor": "middle" }, x));
  }
  parts.push(
    svg("line", { class: "axis", x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom }),
    svg(
      "text",
      { class: "axis-label", x: M.left + plotW / 2, y: H - 4, "text-anchor": "middle" },
      "iteration",
    ),
  );
  for (const c of points.candidates) {
    parts.push(
      svg(
        "circle",
        { class: "candidate-dot", cx: sx(c.iteration), cy: sy(c.score), r: 3.5 },
        svg("title", {}, `iteration ${c.iteration}: ${fixed(c.score, 3)}`),
      ),
    );
  }
  if (points.best.length > 0) {
    parts.push(
      svg("polyline", {
        class: "best-line",
        points: points.best.map((b) => `${sx(b.iteration).toFixed(1)},${sy(b.score).toFixed(1)}`).join(" "),
      }),
    );
    for (const b of points.best) {
      parts.push(
        svg(
          "circle",
          { class: "best-dot", cx: sx(b.iteration), cy: sy(b.score), r: 4.5 },
          svg("title", {}, `best after iteration ${b.iteration}: ${fixed(b.score, 3)}`),
        ),
      );
    }
  }
  return svg(
    "svg",
    {
      class: "reward-chart",
      viewBox: `0 0 ${W} ${H}`,
      width: W,
      height: H,
      role: "img",
      "aria-label": "reward by iteration",
    },
    parts,
  );
}
