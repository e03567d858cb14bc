import { numpyArgsort } from "./numpy-argsort.js";

/**
 * The fold of each group under scikit-learn's `GroupKFold(n_splits)` (no shuffling): groups in
 * descending order of size (numpy's argsort, reversed), each given to the fold with the fewest
 * samples so far, the first such fold on a tie. `groupSizes[g]` is the number of samples of group g.
 */
export function groupKFoldAssignment(groupSizes: readonly number[], nSplits: number): number[] {
  const order = numpyArgsort(groupSizes).reverse();
  const load = new Array<number>(nSplits).fill(0);
  const foldOf = new Array<number>(groupSizes.length).fill(0);
  for (const group of order) {
    let lightest = 0;
    for (let f = 1; f < nSplits; f++) if (load[f]! < load[lightest]!) lightest = f;
    load[lightest]! += groupSizes[group]!;
    foldOf[group] = lightest;
  }
  return foldOf;
}
