import { mean, standardErrorOfMean } from "../stats.js";
import { type Annotations, pythonLength } from "./annotations.js";

/** alpaca_eval's head-to-head metrics, under its own names (`get_winrate` in metrics/winrate.py). */
export interface WinRate {
  /** Mean of preference − 1 over the annotated rows, in percent: the weighted win rate. */
  readonly win_rate: number;
  /** Its standard error (pandas' sem), in percent. */
  readonly standard_error: number;
  /** Rows with preference − 1 above 0.5. */
  readonly n_wins: number;
  /** Rows with preference − 1 below 0.5. */
  readonly n_wins_base: number;
  /** Rows at exactly 0 or 1.5. */
  readonly n_draws: number;
  /** Rows with a preference (null ones are left out). */
  readonly n_total: number;
  /** The win rate with each preference rounded to a win, a loss or a draw, in percent. */
  readonly discrete_win_rate: number;
  /** Mean length of the model's outputs in characters (code points), truncated as alpaca_eval does. */
  readonly avg_length: number;
}

export function winRate(annotations: Annotations): WinRate {
  const preferences = annotations.rows.map((row) => row.preference);
  const weighted = headToHead(preferences.map((p) => (p === 0 ? 1.5 : p)));
  const discrete = headToHead(preferences.map(roundedPreference));
  return {
    ...weighted,
    discrete_win_rate: discrete.win_rate,
    avg_length: Math.trunc(mean(annotations.rows.map((row) => pythonLength(row.output2)))),
  };
}

/** AbsoluteScoringRule.describe_head2head: draws are 1.5 here, null rows are not counted. */
function headToHead(preferences: readonly (number | null)[]) {
  const shifted = preferences.filter((p): p is number => p !== null).map((p) => p - 1);
  return {
    win_rate: mean(shifted) * 100,
    standard_error: standardErrorOfMean(shifted) * 100,
    n_wins: shifted.filter((p) => p > 0.5).length,
    n_wins_base: shifted.filter((p) => p < 0.5).length,
    n_draws: shifted.filter((p) => p === 0.5).length,
    n_total: shifted.length,
  };
}

/** ZeroOneScoringRule: a draw stays a draw, any other preference goes to the nearer of 1 and 2. */
function roundedPreference(p: number | null): number | null {
  if (p === null) return null;
  if (p === 0 || p === 1.5) return 1.5;
  return Math.round(p);
}
