import { randomIndex, seededRandom } from "../seeded-random.js";
import { mean, quantile } from "../stats.js";
import type { Battle } from "./judgments.js";

/** One row of the leaderboard: the score and its bootstrap interval, in percent. */
export interface ArenaHardScore {
  readonly model: string;
  readonly score: number;
  /** 5th percentile of the bootstrap. */
  readonly lower: number;
  /** 95th percentile of the bootstrap. */
  readonly upper: number;
  /** Scored games (a strong verdict counts three). */
  readonly battles: number;
}

export interface BootstrapOptions {
  readonly baseline: string;
  /** Rounds of the bootstrap: 100 in show_result.py. */
  readonly rounds?: number;
  readonly seed?: number;
}

/**
 * show_result.py's print_leaderboard: for each model, 100 bootstrap means of its scores (its
 * games resampled with replacement), the score being the mean of those means and the interval their
 * 5th and 95th percentiles; the baseline is added at 50. Sorted best first.
 */
export function arenaHardScores(battles: readonly Battle[], options: BootstrapOptions): ArenaHardScore[] {
  const random = seededRandom(options.seed ?? 0);
  const rounds = options.rounds ?? 100;
  const byModel = groupScores(battles);
  const rows = [...byModel].map(([model, scores]): ArenaHardScore => {
    const means = Array.from({ length: rounds }, () => {
      let sum = 0;
      for (let i = 0; i < scores.length; i++) sum += scores[randomIndex(random, scores.length)]!;
      return sum / scores.length;
    });
    return {
      model,
      score: mean(means) * 100,
      lower: quantile(means, 0.05) * 100,
      upper: quantile(means, 0.95) * 100,
      battles: scores.length,
    };
  });
  rows.push({ model: options.baseline, score: 50, lower: 50, upper: 50, battles: 0 });
  return rows.sort((a, b) => b.score - a.score);
}

/** Models in sorted order (pandas' groupby), each with its scores in file order. */
function groupScores(battles: readonly Battle[]): Map<string, number[]> {
  const byModel = new Map<string, number[]>();
  for (const b of [...battles].sort((x, y) => (x.model < y.model ? -1 : x.model > y.model ? 1 : 0))) {
    const list = byModel.get(b.model) ?? [];
    list.push(b.score);
    byModel.set(b.model, list);
  }
  return byModel;
}

/** show_result.py's display: the score to one decimal and "(-lower / +upper)". */
export function formatInterval(row: ArenaHardScore): string {
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return `(-${round1(row.score - row.lower).toFixed(1)} / +${round1(row.upper - row.score).toFixed(1)})`;
}
