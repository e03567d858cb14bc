import { escapeControl } from "../../util/escape.js";
import {
  COMPARE_COLUMNS,
  compareCells,
  extremeChangeWarning,
  LC_LEGEND,
  NO_LC,
  type CompareSummary,
} from "../../eval/compare/summary.js";
import { formatUsd, table } from "../../util/number-format.js";

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
    `LC win rate: ${LC_LEGEND}.`,
    `Judge: ${notes.judge}, ${summary.judgeRequests} requests${summary.judgeCostUsd === undefined ? "" : `, $${formatUsd(summary.judgeCostUsd)}`}.`,
  ];
  if (!summary.lengthControlled) lines.push(NO_LC);
  const warning = extremeChangeWarning(summary);
  if (warning) lines.push(warning);
  if (notes.simulated) {
    lines.push(
      "",
      "Simulated world: the judge follows the simulation's hidden quality; these numbers show the",
      "mechanics, not the behaviour of real models.",
    );
  }
  return escapeControl(lines.join("\n"));
}
