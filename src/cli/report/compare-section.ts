import { COMPARE_COLUMNS, compareCells, type CompareSummary } from "../compare/summary.js";
import { escapeHtml } from "./escape.js";

/** A comparison as the report shows it: the summary of a compare file, its judge and where it came from. */
export interface ReportComparison {
  summary: CompareSummary;
  judge: string;
  simulated: boolean;
  source: string;
}

/** Wins, ties and losses of a as one stacked bar, the win rate marked with its interval. */
function outcomeBar(s: CompareSummary): string {
  const width = 160;
  const x = (share: number) => (share * width).toFixed(1);
  const win = s.wins / s.n;
  const tie = s.ties / s.n;
  return (
    `<svg class="outcomes" width="${width}" height="18" viewBox="0 0 ${width} 18" role="img" ` +
    `aria-label="${s.wins} wins, ${s.ties} ties, ${s.losses} losses">` +
    `<rect x="0" y="3" width="${x(win)}" height="12" fill="#1f5fbf"/>` +
    `<rect x="${x(win)}" y="3" width="${x(tie)}" height="12" fill="#bbb"/>` +
    `<rect x="${x(win + tie)}" y="3" width="${x(1 - win - tie)}" height="12" fill="#e07b00"/>` +
    `<line x1="${x(s.ci95[0])}" x2="${x(s.ci95[1])}" y1="9" y2="9" stroke="#000" stroke-width="1.5"/>` +
    `<line x1="${x(s.winRate)}" x2="${x(s.winRate)}" y1="1" y2="17" stroke="#000" stroke-width="2"/>` +
    `</svg>`
  );
}

function row(c: ReportComparison): string {
  const s = c.summary;
  const cells = [...compareCells(s).map(escapeHtml), outcomeBar(s)];
  return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join("")}</tr>`;
}

/** Who judged a comparison, and where its judgments are. */
function judgeItem(c: ReportComparison): string {
  const s = c.summary;
  return `<li>${escapeHtml(s.a)} vs ${escapeHtml(s.b)}: judged by ${escapeHtml(c.judge)}, ${s.judgeRequests} requests (${escapeHtml(c.source)})</li>`;
}

/** The report's section for `--compare` files: one row per comparison. */
export function compareSectionHtml(comparisons: readonly ReportComparison[]): string {
  if (comparisons.length === 0) return "";
  const simulated = comparisons.some((c) => c.simulated);
  return `<h2>Pairwise comparison</h2>
<p class="meta">Win rate of a over b as an LLM judge saw them, a tie counting half, with its 95% bootstrap interval. Each pair was judged in both orders; verdicts that disagree count as a tie. Lengths are mean characters. Bar: <span style="color:#1f5fbf">a wins</span>, ties, <span style="color:#e07b00">b wins</span>; the mark is the win rate, the line its interval.</p>
${simulated ? `<p class="note" id="compare-simulated">Simulated judge: its verdicts follow the simulated world's hidden quality; they show the mechanics, not the behaviour of real models.</p>` : ""}
<table id="compare"><thead><tr>${[...COMPARE_COLUMNS, "outcomes"].map((c) => `<th>${c}</th>`).join("")}</tr></thead><tbody>${comparisons.map(row).join("")}</tbody></table>
<ul class="meta" id="judges">${comparisons.map(judgeItem).join("")}</ul>`;
}
