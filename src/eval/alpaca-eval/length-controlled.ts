import { groupKFoldAssignment } from "../glm/group-k-fold.js";
import { fitL1Logistic, logistic, type SoftLabelRows } from "../glm/l1-logistic.js";
import { EvalInputError } from "../input-error.js";
import { mean, sampleStd, standardErrorOfMean } from "../stats.js";
import { type Annotations, pythonLength } from "./annotations.js";
import type { GamedBaselines } from "./gamed-baselines.js";
import { type WinRate, winRate } from "./win-rate.js";

/**
 * alpaca_eval's `length_controlled_v1` (metrics/glm_winrate.py), the GLM
 *
 *     preference ~ tanh(std_delta_len) + instruction_difficulty + not_gamed_baseline − 1
 *
 * fitted by L1 logistic regression on the continuous preference, with the gamed baselines' rows
 * added at weight 0.2 / 2, C chosen from numpy's logspace(-4, 4, 10) by 5-fold GroupKFold
 * cross-validation on the weighted log loss, and the win rate predicted at zero length difference.
 */
export interface LengthControlledWinRate extends WinRate {
  /** Mean predicted preference at zero length difference, in percent. */
  readonly length_controlled_winrate: number;
  /** Its standard error over the instructions, in percent. */
  readonly lc_standard_error: number;
  /** The fitted coefficients, under the names alpaca_eval saves them with (zero for the baseline). */
  readonly glm_weights: Readonly<Record<(typeof FEATURES)[number], number>>;
  /** The C chosen by cross-validation (null when the model is the baseline and nothing is fitted). */
  readonly glm_C: number | null;
}

const FEATURES = [
  "np.tanh(std_delta_len)",
  "instruction_difficulty",
  "not_gamed_baseline.astype(float)",
] as const;
/** Weight of the gamed baselines' rows: regularize_to_baseline_lambda = 0.2, halved over the two. */
const GAMED_WEIGHT = 0.2 / 2;
const FOLDS = 5;
/** LogisticRegressionCV's default grid, numpy's logspace(-4, 4, 10). */
export const C_GRID = Array.from({ length: 10 }, (_, k) => (k === 9 ? 1e4 : 10 ** (-4 + k * (8 / 9))));

export function lengthControlledWinRate(
  annotations: Annotations,
  gamed: GamedBaselines,
): LengthControlledWinRate {
  const raw = winRate(annotations);
  if (annotations.model === annotations.baseline) {
    return {
      ...raw,
      length_controlled_winrate: 50,
      lc_standard_error: 0,
      glm_weights: { [FEATURES[0]]: 0, [FEATURES[1]]: 0, [FEATURES[2]]: 0 },
      glm_C: null,
    };
  }
  const difficulty = annotations.rows.map((_, g) => {
    const value = gamed.difficultyAtRow.get(g);
    if (value === undefined) {
      throw new EvalInputError(
        "df_gamed.csv",
        `no instruction_difficulty for annotation ${g}: the file covers fewer instructions than the annotations`,
      );
    }
    return value;
  });
  const deltas = annotations.rows.map((row) => pythonLength(row.output1) - pythonLength(row.output2));
  const spread = sampleStd(deltas);
  const train = trainingRows(annotations, gamed, difficulty, deltas, spread);
  const C = chooseC(train);
  const beta = fitL1Logistic(train, C);
  // at zero length difference tanh(0) = 0, so only difficulty and the not-gamed term remain
  const predicted = difficulty.map((d) => logistic(beta[1]! * d + beta[2]!));
  return {
    ...raw,
    length_controlled_winrate: mean(predicted) * 100,
    lc_standard_error: standardErrorOfMean(predicted) * 100,
    glm_weights: { [FEATURES[0]]: beta[0]!, [FEATURES[1]]: beta[1]!, [FEATURES[2]]: beta[2]! },
    glm_C: C,
  };
}

/** The gamed baselines' rows, then the model's, as alpaca_eval concatenates them (rows without a preference dropped). */
function trainingRows(
  annotations: Annotations,
  gamed: GamedBaselines,
  difficulty: readonly number[],
  deltas: readonly number[],
  spread: number,
): SoftLabelRows {
  const x: number[][] = [];
  const target: number[] = [];
  const weight: number[] = [];
  for (const row of gamed.rows) {
    if (row.preference === null) continue;
    x.push([Math.tanh(row.stdDeltaLen), row.instructionDifficulty, row.notGamedBaseline ? 1 : 0]);
    target.push(row.preference);
    weight.push(row.notGamedBaseline ? 1 : GAMED_WEIGHT);
  }
  annotations.rows.forEach((row, g) => {
    if (row.preference === null) return;
    x.push([Math.tanh(deltas[g]! / spread), difficulty[g]!, 1]);
    target.push((row.preference === 0 ? 1.5 : row.preference) - 1);
    weight.push(1);
  });
  return { x, target, weight };
}

/**
 * LogisticRegressionCV's choice: for each C, the held-out loss of alpaca_eval's logloss_continuous
 * (mean over the fold's rows of the weighted cross-entropy, predictions clipped to [1e-15, 1 − 1e-15]),
 * summed over the folds; the first C with the best sum wins. Each row is one group of two samples.
 */
export function chooseC(rows: SoftLabelRows): number {
  const foldOf = groupKFoldAssignment(
    rows.x.map(() => 2),
    FOLDS,
  );
  const totals = C_GRID.map(() => 0);
  for (let fold = 0; fold < FOLDS; fold++) {
    const trainSet = subset(rows, (i) => foldOf[i] !== fold);
    const testSet = subset(rows, (i) => foldOf[i] === fold);
    C_GRID.forEach((C, k) => {
      totals[k]! -= heldOutLoss(testSet, fitL1Logistic(trainSet, C));
    });
  }
  let best = 0;
  for (let k = 1; k < totals.length; k++) if (totals[k]! > totals[best]!) best = k;
  return C_GRID[best]!;
}

function heldOutLoss(rows: SoftLabelRows, beta: readonly number[]): number {
  let sum = 0;
  rows.x.forEach((x, i) => {
    const p = Math.min(Math.max(logistic(x.reduce((s, v, j) => s + v * beta[j]!, 0)), 1e-15), 1 - 1e-15);
    const t = rows.target[i]!;
    sum += -(t * Math.log(p) + (1 - t) * Math.log(1 - p)) * rows.weight[i]!;
  });
  return sum / rows.x.length;
}

function subset(rows: SoftLabelRows, keep: (i: number) => boolean): SoftLabelRows {
  const picked = rows.x.map((_, i) => i).filter(keep);
  return {
    x: picked.map((i) => rows.x[i]!),
    target: picked.map((i) => rows.target[i]!),
    weight: picked.map((i) => rows.weight[i]!),
  };
}

/**
 * alpaca_eval's warning rule (get_is_extreme_changes, abs_diff 10, rel_diff 4): the length-controlled
 * rate is far from the raw one, which may mean the GLM failed.
 */
export function isExtremeChange(rawRate: number, lengthControlled: number): boolean {
  const tooSmall = lengthControlled < Math.min(rawRate - rawRate / 4, rawRate - 10);
  const tooLarge = lengthControlled > Math.max(rawRate + (100 - rawRate) / 4, rawRate + 10);
  return tooSmall || tooLarge;
}
