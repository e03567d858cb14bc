import { escapeControl } from "../../util/escape.js";
import type { CompareSummary } from "../../eval/compare/summary.js";
import { formatNumber, table } from "../number-format.js";

const percent = (x: number) => `${formatNumber(100 * x, 1)}%`;

/** The columns of a comparison's row, in tables and in the report. */
export const COMPARE_COLUMNS = [
  "a",
  "b",
  "pairs",
  "wins",
  "losses",
  "ties",
  "win rate",
  "95% CI",
  "length a",
  "length b",
];

/** A comparison's row: sides, counts, win rate, interval, mean lengths. */
export function compareCells(s: CompareSummary): string[] {
  return [
    s.a,
    s.b,
    String(s.n),
    String(s.wins),
    String(s.losses),
    String(s.ties),
    percent(s.winRate),
    `${percent(s.ci95[0])} – ${percent(s.ci95[1])}`,
    formatNumber(s.lengths.a, 0),
    formatNumber(s.lengths.b, 0),
  ];
}

/**
 * The comparison as text: the table, how to read it, and the simulation note when the judge was
 * simulated. Sides and the judge come from a file, so control characters are written as escapes.
 */
export function formatCompare(summary: CompareSummary, notes: { judge: string; simulated: boolean }): string {
  const lines = [
    table(COMPARE_COLUMNS, [compareCells(summary)]),
    "",
    "Win rate of a over b, a tie counting half, with its 95% bootstrap interval; each pair judged in both",
    "orders, verdicts that disagree counting as a tie; lengths in characters.",
    `Judge: ${notes.judge}, ${summary.judgeRequests} requests.`,
  ];
  if (notes.simulated) {
    lines.push(
      "",
      "Simulated world: the judge follows the simulation's hidden quality; these numbers show the",
      "mechanics, not the behaviour of real models.",
    );
  }
  return escapeControl(lines.join("\n"));
}
