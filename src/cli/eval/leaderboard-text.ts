import {
  LEADERBOARD_COLUMNS,
  leaderboardCells,
  leaderboardNotes,
} from "../../eval/report/leaderboard-section.js";
import type { LeaderboardRow } from "../../eval/report/leaderboard.js";
import { escapeControl } from "../../util/escape.js";

/**
 * `tpo report`'s leaderboard as text: the page's table, column-aligned, then its notes. Names come
 * from the scored files, which anyone may have written: their control characters are escaped.
 */
export function leaderboardText(rows: readonly LeaderboardRow[]): string {
  const table = [[...LEADERBOARD_COLUMNS], ...rows.map((row) => leaderboardCells(row).map(escapeControl))];
  const widths = LEADERBOARD_COLUMNS.map((_, k) => Math.max(...table.map((cells) => cells[k]!.length)));
  const lines = table.map((cells) =>
    cells
      .map((cell, k) => cell.padEnd(widths[k]!))
      .join("  ")
      .trimEnd(),
  );
  const notes = leaderboardNotes(rows).map(escapeControl);
  if (rows.some((r) => r.simulated)) {
    notes.push("Simulated judge: these scores show the mechanics, not the behaviour of real models.");
  }
  return ["Leaderboard (ours against the baseline)", ...lines, ...notes].join("\n");
}
