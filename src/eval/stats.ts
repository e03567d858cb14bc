/** Small statistics with numpy's and pandas' conventions (sample standard deviation, ddof = 1). */

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** pandas' `Series.std()`: the sample standard deviation (NaN below two values). */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** pandas' `Series.sem()`: standard error of the mean. */
export function standardErrorOfMean(values: readonly number[]): number {
  return sampleStd(values) / Math.sqrt(values.length);
}

/** numpy's `quantile` with its default linear interpolation. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
