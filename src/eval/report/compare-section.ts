import { markup, type Html } from "../../web/html.js";
import type { Judgment } from "../compare/judgment.js";
import {
  COMPARE_COLUMNS,
  compareCells,
  extremeChangeWarning,
  judgedInSimulation,
  judgmentsByJudge,
  LC_LEGEND,
  summarizeJudgments,
  type CompareSummary,
} from "../compare/summary.js";

/** A comparison as the report shows it: the summary of a compare file, its judge and where it came from. */
export interface ReportComparison {
  summary: CompareSummary;
  judge: string;
  simulated: boolean;
  source: string;
  /** The pairs' verdicts, for the query pages. */
  judgments: Judgment[];
}

/** A compare file's judgments as the report shows them: one comparison per judge (a file resumed with another judge has two); `source` names the file. */
export function reportComparisonsOf(judgments: readonly Judgment[], source: string): ReportComparison[] {
  return judgmentsByJudge(judgments).map((group) => {
    const summary = summarizeJudgments(group);
    return { summary, judge: summary.judge, simulated: judgedInSimulation(group), source, judgments: group };
  });
}

/** A share in [0, 1] as a coordinate; anything else (a crafted file) as 0. */
function share(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** Wins, ties and losses of a as one stacked bar, the win rate marked with its interval. */
function outcomeBar(s: CompareSummary): Html {
  const width = 160;
  const x = (value: number) => (share(value) * width).toFixed(1);
  const win = share(s.wins / s.n);
  const tie = share(s.ties / s.n);
  return markup`<svg class="outcomes" width="${width}" height="18" viewBox="0 0 ${width} 18" role="img" aria-label="${s.wins} wins, ${s.ties} ties, ${s.losses} losses"><rect x="0" y="3" width="${x(win)}" height="12" fill="#1f5fbf"/><rect x="${x(win)}" y="3" width="${x(tie)}" height="12" fill="#bbb"/><rect x="${x(win + tie)}" y="3" width="${x(1 - win - tie)}" height="12" fill="#e07b00"/><line x1="${x(s.ci95[0])}" x2="${x(s.ci95[1])}" y1="9" y2="9" stroke="#000" stroke-width="1.5"/><line x1="${x(s.winRate)}" x2="${x(s.winRate)}" y1="1" y2="17" stroke="#000" stroke-width="2"/></svg>`;
}

function row(c: ReportComparison): Html {
  const cells = [...compareCells(c.summary), outcomeBar(c.summary)];
  return markup`<tr>${cells.map((cell) => markup`<td>${cell}</td>`)}</tr>`;
}

/** Who judged a comparison, and where its judgments are. */
function judgeItem(c: ReportComparison): Html {
  const s = c.summary;
  return markup`<li>${s.a} vs ${s.b}: judged by ${c.judge}, ${s.judgeRequests} requests (${c.source})</li>`;
}

/** The report's section for `--compare` files: one row per comparison. */
export function compareSectionHtml(comparisons: readonly ReportComparison[]): Html {
  if (comparisons.length === 0) return markup``;
  const simulated = comparisons.some((c) => c.simulated);
  return markup`<h2>Pairwise comparison</h2>
<p class="meta">Win rate of a over b as an LLM judge saw them, a tie counting half, with its 95% bootstrap interval. Each pair was judged in both orders; verdicts that disagree count as a tie. LC win rate: ${LC_LEGEND}; a reads as the model, b as the baseline, and "-" means fewer than 5 pairs or one length difference throughout. Lengths are mean characters (Unicode code points). Bar: <span class="side-a">a wins</span>, ties, <span class="side-b">b wins</span>; the mark is the win rate, the line its interval. Each query's page shows its verdicts and the judge's rationales.</p>
${simulated ? markup`<p class="note" id="compare-simulated">Simulated judge: its verdicts follow the simulated world's hidden quality; they show the mechanics, not the behaviour of real models.</p>` : ""}
${comparisons.flatMap((c) => extremeChangeWarning(c.summary) ?? []).map((w) => markup`<p class="note lc-warning">${w}</p>`)}
<table id="compare"><thead><tr>${[...COMPARE_COLUMNS, "outcomes"].map((c) => markup`<th>${c}</th>`)}</tr></thead><tbody>${comparisons.map(row)}</tbody></table>
<ul class="meta" id="judges">${comparisons.map(judgeItem)}</ul>`;
}
