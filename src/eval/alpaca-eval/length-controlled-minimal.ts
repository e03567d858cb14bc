import { fitL1Logistic, logistic } from "../glm/l1-logistic.js";
import { sampleStd } from "../stats.js";
import { chooseC } from "./length-controlled.js";

/** One head-to-head: each side's answer length in characters, and the model's preference in [0, 1] (0.5 a draw). */
export interface LengthPair {
  readonly preference: number;
  readonly modelLength: number;
  readonly baselineLength: number;
}

export interface MinimalLengthControlledWinRate {
  /** The predicted preference at zero length difference, in percent (the same for every pair). */
  readonly length_controlled_winrate: number;
  /** The fitted coefficients, under alpaca_eval's names; the second is an intercept here. */
  readonly glm_weights: Readonly<Record<(typeof FEATURES)[number], number>>;
  /** The C chosen by cross-validation. */
  readonly glm_C: number;
}

const FEATURES = ["np.tanh(std_delta_len)", "not_gamed_baseline.astype(float)"] as const;
const FOLDS = 5;

/**
 * alpaca_eval's `length_controlled_minimal` GLM (metrics/glm_winrate.py, GLM_INFO), for head-to-heads
 * outside AlpacaEval's data set:
 *
 *     preference ~ tanh(std_delta_len) + not_gamed_baseline − 1
 *
 * fitted as `length_controlled_v1` is (L1 logistic regression on the continuous preference, C by
 * 5-fold GroupKFold), but with no regularisation towards the gamed baselines and no instruction
 * difficulty: both come from df_gamed.csv, which covers AlpacaEval's 805 instructions only. Every
 * row is a model's answer, so the not-gamed term is 1 throughout: an intercept, and the prediction
 * at zero length difference is the same for every pair. std_delta_len is the baseline's length
 * minus the model's, over its sample standard deviation, as alpaca_eval computes it.
 *
 * null when the GLM cannot be fitted: fewer pairs than folds (scikit-learn refuses them too), or
 * no spread in the length differences (alpaca_eval would divide by zero).
 */
export function minimalLengthControlledWinRate(
  pairs: readonly LengthPair[],
): MinimalLengthControlledWinRate | null {
  if (pairs.length < FOLDS) return null;
  const deltas = pairs.map((p) => p.baselineLength - p.modelLength);
  const spread = sampleStd(deltas);
  if (!(spread > 0)) return null;
  const rows = {
    x: deltas.map((d) => [Math.tanh(d / spread), 1]),
    target: pairs.map((p) => p.preference),
    weight: pairs.map(() => 1),
  };
  const C = chooseC(rows);
  const beta = fitL1Logistic(rows, C);
  return {
    length_controlled_winrate: logistic(beta[1]!) * 100,
    glm_weights: { [FEATURES[0]]: beta[0]!, [FEATURES[1]]: beta[1]! },
    glm_C: C,
  };
}
