import { formatNumber } from "../../util/number-format.js";
import { bootstrapInterval } from "./bootstrap.js";
import type { Judgment } from "./judgment.js";

/** A comparison's result; `--json` prints it as it is. */
export interface CompareSummary {
  a: string;
  b: string;
  /** Pairs judged. */
  n: number;
  /** Pairs that a won (both orders agree), lost, and tied (a tie in both orders, or orders that disagree). */
  wins: number;
  losses: number;
  ties: number;
  /** (wins + ties / 2) / n: a's win rate over b. */
  winRate: number;
  /** 95 % bootstrap interval of the win rate. */
  ci95: [number, number];
  /** Judge requests for these pairs: two per pair, more when an invalid verdict was asked again. */
  judgeRequests: number;
  /** Mean characters of each side's answers. */
  lengths: { a: number; b: number };
  /** Who judged: the model, and where (`judgeName`). */
  judge: string;
}

const POINTS = { a: 2, tie: 1, b: 0 } as const;

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** The summary of a comparison's judgments (one per pair; at least one). */
export function summarizeJudgments(judgments: readonly Judgment[]): CompareSummary {
  const sorted = [...judgments].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const count = (outcome: Judgment["outcome"]) => sorted.filter((j) => j.outcome === outcome).length;
  const points: number[] = sorted.map((j) => POINTS[j.outcome]);
  const n = sorted.length;
  return {
    a: sorted[0]?.a ?? "",
    b: sorted[0]?.b ?? "",
    n,
    wins: count("a"),
    losses: count("b"),
    ties: count("tie"),
    winRate: points.reduce((s, p) => s + p, 0) / (2 * n),
    ci95: bootstrapInterval(points),
    // A count read from a file: anything but a number (a crafted string) adds nothing.
    judgeRequests: sorted.reduce((s, j) => s + (Number.isFinite(j.judgeRequests) ? j.judgeRequests : 0), 0),
    lengths: { a: mean(sorted.map((j) => j.lengths.a)), b: mean(sorted.map((j) => j.lengths.b)) },
    judge: sorted[0] ? judgeName(sorted[0]) : "",
  };
}

/**
 * The judgments split by judge (model and server), the earliest judge first: a comparison resumed
 * with another judge (`--allow-mixed-judges`) gets one summary per judge, never a blend.
 */
export function judgmentsByJudge(judgments: readonly Judgment[]): Judgment[][] {
  const groups = new Map<string, Judgment[]>();
  for (const judgment of judgments) {
    const { model, baseUrl, backend } = judgment.judge;
    const key = JSON.stringify([model, baseUrl ?? "", backend ?? ""]);
    const group = groups.get(key);
    if (group) group.push(judgment);
    else groups.set(key, [judgment]);
  }
  const first = (group: Judgment[]) =>
    group.reduce((m, j) => (j.finishedAt < m ? j.finishedAt : m), "\uffff");
  return [...groups.values()].sort((x, y) => (first(x) < first(y) ? -1 : first(x) > first(y) ? 1 : 0));
}

/** Whether a judge was the simulated world's (in process, or `tpo sim-server`, whose models are tpo-sim…). */
export function judgedInSimulation(judgments: readonly Judgment[]): boolean {
  return judgments.some((j) => j.judge.backend === "sim" || j.judge.model.startsWith("tpo-sim"));
}

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

/** How a judge is named in tables. */
export function judgeName(judgment: Pick<Judgment, "judge">): string {
  const { model, baseUrl, backend } = judgment.judge;
  if (backend === "sim") return `${model} (the simulated world, in process)`;
  return baseUrl ? `${model} at ${baseUrl}` : model;
}
