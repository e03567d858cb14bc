import { seededRandom } from "../seeded-random.js";

/** Resamples of the bootstrap and the seed of its draws: fixed, so that a comparison prints the same interval every time. */
export const BOOTSTRAP = { resamples: 2000, seed: 1 };

/**
 * A 95 % percentile bootstrap interval of a win rate. `points` holds each pair's outcome as half
 * points (2 a win, 1 a tie, 0 a loss), in a fixed order (by query id). Each resample draws n pairs
 * with replacement through a seeded generator, so the draws depend on n alone: the same indices
 * serve a comparison and its mirror, whose points are 2 − p. Sums are integers and the interval's
 * ends are order statistics (the 51st from each end of 2000), so swapping the sides swaps and
 * mirrors the ends exactly.
 */
export function bootstrapInterval(
  points: readonly number[],
  options: { resamples?: number; seed?: number } = {},
): [number, number] {
  const n = points.length;
  if (n === 0) return [NaN, NaN];
  const resamples = options.resamples ?? BOOTSTRAP.resamples;
  const random = seededRandom(options.seed ?? BOOTSTRAP.seed);
  const sums = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += points[Math.floor(random() * n)];
    sums[r] = sum;
  }
  sums.sort((x, y) => x - y);
  const tail = Math.round(resamples * 0.025);
  return [sums[tail] / (2 * n), sums[resamples - 1 - tail] / (2 * n)];
}
