/**
 * numpy's default `np.argsort` (kind="quicksort": introsort with median-of-three partitions and
 * insertion sort from 16 elements down), ported so that a tie is broken exactly as numpy breaks it.
 * scikit-learn's GroupKFold orders groups by size with it, and alpaca_eval's groups all have the
 * same size, so which instruction lands in which fold is decided by these swaps alone.
 *
 * This is numpy's portable path (`npysort/quicksort.cpp`, `aquicksort_`). numpy builds that sort
 * with AVX-512 (x86-simd-sort) use another order for ties, so the official fold assignment itself
 * depends on the machine; docs/evaluation.md says so.
 */
export function numpyArgsort(values: readonly number[]): number[] {
  const order = values.map((_, i) => i);
  const less = (a: number, b: number) => values[a]! < values[b]!;
  const swap = (i: number, j: number) => {
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  };
  const stack: Array<[number, number, number]> = [];
  let lo = 0;
  let hi = values.length - 1;
  let depth = 2 * mostSignificantBit(values.length);
  for (;;) {
    if (depth < 0) {
      heapSortRange(order, lo, hi, less);
    } else {
      while (hi - lo > 15) {
        const mid = lo + ((hi - lo) >> 1);
        if (less(order[mid]!, order[lo]!)) swap(mid, lo);
        if (less(order[hi]!, order[mid]!)) swap(hi, mid);
        if (less(order[mid]!, order[lo]!)) swap(mid, lo);
        const pivot = order[mid]!;
        let i = lo;
        let j = hi - 1;
        swap(mid, j);
        for (;;) {
          do i++;
          while (less(order[i]!, pivot));
          do j--;
          while (less(pivot, order[j]!));
          if (i >= j) break;
          swap(i, j);
        }
        swap(i, hi - 1);
        depth--;
        if (i - lo < hi - i) {
          stack.push([i + 1, hi, depth]);
          hi = i - 1;
        } else {
          stack.push([lo, i - 1, depth]);
          lo = i + 1;
        }
      }
      for (let i = lo + 1; i <= hi; i++) {
        const moving = order[i]!;
        let j = i;
        while (j > lo && less(moving, order[j - 1]!)) {
          order[j] = order[j - 1]!;
          j--;
        }
        order[j] = moving;
      }
    }
    const next = stack.pop();
    if (next === undefined) return order;
    [lo, hi, depth] = next;
  }
}

function mostSignificantBit(n: number): number {
  let depth = 0;
  for (let rest = n >>> 1; rest > 0; rest >>>= 1) depth++;
  return depth;
}

/** numpy's `aheapsort_` on order[lo..hi], for the rare inputs that exhaust the depth budget. */
function heapSortRange(
  order: number[],
  lo: number,
  hi: number,
  less: (a: number, b: number) => boolean,
): void {
  const n = hi - lo + 1;
  const at = (k: number) => order[lo + k - 1]!; // numpy's heap is 1-based
  const set = (k: number, v: number) => {
    order[lo + k - 1] = v;
  };
  const siftDown = (start: number, end: number) => {
    const top = at(start);
    let i = start;
    for (let j = 2 * i; j <= end; i = j, j *= 2) {
      if (j < end && less(at(j), at(j + 1))) j++;
      if (!less(top, at(j))) break;
      set(i, at(j));
    }
    set(i, top);
  };
  for (let start = n >> 1; start > 0; start--) siftDown(start, n);
  for (let end = n; end > 1;) {
    const top = at(1);
    set(1, at(end));
    set(end, top);
    end--;
    siftDown(1, end);
  }
}
