import { markup, type Html } from "../../web/html.js";
import { formatNumber } from "../../util/number-format.js";
import type { LeaderboardRow } from "./leaderboard.js";

/** The leaderboard's columns, in the report's table and in `tpo report`'s text. */
export const LEADERBOARD_COLUMNS = [
  "benchmark",
  "model",
  "baseline",
  "n",
  "win rate (raw)",
  "LC win rate",
  "Arena-Hard score",
  "interval (5–95%)",
  "judge",
  "prompt",
] as const;

const withError = (value: number | null, error: number | null) =>
  value === null ? "-" : `${formatNumber(value, 1)} ± ${formatNumber(error, 1)}`;

/** A row's cells as text, in LEADERBOARD_COLUMNS' order. */
export function leaderboardCells(row: LeaderboardRow): string[] {
  return [
    row.benchmark + (row.category ? ` (${row.category})` : ""),
    row.model,
    row.baseline,
    String(row.n),
    withError(row.winRate, row.standardError),
    withError(row.lcWinRate, row.lcStandardError),
    row.score === null ? "-" : formatNumber(row.score, 1),
    row.interval === null ? "-" : `${formatNumber(row.interval[0], 1)} – ${formatNumber(row.interval[1], 1)}`,
    row.judge,
    row.prompt,
  ];
}

/** Each row's notes, named by its file. */
export function leaderboardNotes(rows: readonly LeaderboardRow[]): string[] {
  return rows.flatMap((row) => row.notes.map((note) => `${row.source} (${row.model}): ${note}.`));
}

/** The page's table stops before the judge and the prompt, which are long: a list under it names them. */
const SCORE_COLUMNS = LEADERBOARD_COLUMNS.indexOf("judge");

function judgeItem(row: LeaderboardRow): Html {
  return markup`<li>${leaderboardCells(row)[0]}, ${row.model} vs ${row.baseline}: judged by ${row.judge}, prompt ${row.prompt} (${row.source})</li>`;
}

/** The report's section for `--leaderboard` files: ours against the baseline, in the field's own numbers. */
export function leaderboardSectionHtml(rows: readonly LeaderboardRow[]): Html {
  if (rows.length === 0) return markup``;
  const simulated = rows.some((r) => r.simulated);
  return markup`<h2>Leaderboard</h2>
<p class="meta">Our answers against a baseline as the leaderboards score them: AlpacaEval 2's raw win rate (the judge's weighted preference) and length-controlled (LC) win rate, each ± its standard error, in percent; Arena-Hard's score (the baseline at 50) with its 5th–95th percentile bootstrap interval. Numbers are comparable with a published leaderboard only with its judge, prompt and baseline; each row names the ones its file records.</p>
${simulated ? markup`<p class="note" id="leaderboard-simulated">Simulated judge: these scores show the mechanics, not the behaviour of real models.</p>` : ""}
${leaderboardNotes(rows).map((note) => markup`<p class="note leaderboard-note">${note}</p>`)}
<table id="leaderboard"><thead><tr>${LEADERBOARD_COLUMNS.slice(0, SCORE_COLUMNS).map((c) => markup`<th>${c}</th>`)}</tr></thead><tbody>${rows.map(
    (row) =>
      markup`<tr>${leaderboardCells(row)
        .slice(0, SCORE_COLUMNS)
        .map((cell) => markup`<td>${cell}</td>`)}</tr>`,
  )}</tbody></table>
<ul class="meta" id="leaderboard-judges">${rows.map(judgeItem)}</ul>`;
}
