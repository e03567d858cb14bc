import { isExtremeChange } from "../alpaca-eval/length-controlled.js";
import { minimalLengthControlledWinRate } from "../alpaca-eval/length-controlled-minimal.js";
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
  /** US dollars of the judge's requests, over the judgments that carry a cost; absent when none does. */
  judgeCostUsd?: number;
  /**
   * The win rate at equal lengths, a share like `winRate`: alpaca_eval's length_controlled_minimal
   * GLM (a length term, no instruction difficulty, no regularisation towards its gamed baselines)
   * fitted on the pairs, a as the model and b as the baseline. null when it cannot be fitted: fewer
   * than 5 pairs, or the same length difference in every pair.
   */
  lengthControlled: { winRate: number; glm: "length_controlled_minimal"; C: number } | null;
  /** Mean characters of each side's answers (code points, as Python's len() and alpaca_eval count them). */
  lengths: { a: number; b: number };
  /** Who judged: the model, and where (`judgeName`). */
  judge: string;
}

const POINTS = { a: 2, tie: 1, b: 0 } as const;

function judgeCost(judgments: readonly Judgment[]): { judgeCostUsd?: number } {
  const costs = judgments.flatMap((j) => (j.judgeCostUsd === undefined ? [] : [j.judgeCostUsd]));
  return costs.length === 0 ? {} : { judgeCostUsd: costs.reduce((s, c) => s + c, 0) };
}

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
    lengthControlled: lengthControlledOf(sorted),
    // A count read from a file: anything but a number (a crafted string) adds nothing.
    judgeRequests: sorted.reduce((s, j) => s + (Number.isFinite(j.judgeRequests) ? j.judgeRequests : 0), 0),
    ...judgeCost(sorted),
    lengths: { a: mean(sorted.map((j) => j.lengths.a)), b: mean(sorted.map((j) => j.lengths.b)) },
    judge: sorted[0] ? judgeName(sorted[0]) : "",
  };
}

function lengthControlledOf(judgments: readonly Judgment[]): CompareSummary["lengthControlled"] {
  const fit = minimalLengthControlledWinRate(
    judgments.map((j) => ({
      preference: POINTS[j.outcome] / 2,
      modelLength: j.lengths.a,
      baselineLength: j.lengths.b,
    })),
  );
  return (
    fit && { winRate: fit.length_controlled_winrate / 100, glm: "length_controlled_minimal", C: fit.glm_C }
  );
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

/** Whether a judge is the simulated world's (in process, or `tpo sim-server`, whose models are tpo-sim…). */
export function isSimulatedJudge(judge: Pick<Judgment["judge"], "model" | "backend">): boolean {
  return judge.backend === "sim" || judge.model.startsWith("tpo-sim");
}

/** Whether any of the judgments was judged in the simulated world (`isSimulatedJudge`). */
export function judgedInSimulation(judgments: readonly Judgment[]): boolean {
  return judgments.some((j) => isSimulatedJudge(j.judge));
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
  "LC win rate",
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
    s.lengthControlled ? percent(s.lengthControlled.winRate) : "-",
    formatNumber(s.lengths.a, 0),
    formatNumber(s.lengths.b, 0),
  ];
}

/** What the LC column is, for the text and the report page. */
export const LC_LEGEND =
  "the win rate at equal lengths, by alpaca_eval's length_controlled_minimal GLM (no regularisation)";

/** Why the LC column says "-". */
export const NO_LC = "No LC win rate: its GLM needs 5 pairs or more whose length differences vary.";

/** alpaca_eval's warning (glm_winrate.get_is_extreme_changes) when the LC rate is far from the raw one; null when it is not. */
export function extremeChangeWarning(s: CompareSummary): string | null {
  if (!s.lengthControlled || !isExtremeChange(100 * s.winRate, 100 * s.lengthControlled.winRate)) return null;
  return `The LC win rate (${percent(s.lengthControlled.winRate)}) is very different from the raw one (${percent(s.winRate)}): alpaca_eval warns that the GLM may have failed.`;
}

/** How a judge is named in tables. */
export function judgeName(judgment: Pick<Judgment, "judge">): string {
  const { model, baseUrl, backend } = judgment.judge;
  if (backend === "sim") return `${model} (the simulated world, in process)`;
  return baseUrl ? `${model} at ${baseUrl}` : model;
}
