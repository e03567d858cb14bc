import { expect } from "vitest";
import type { CompareSummary } from "../../src/eval/compare/summary.js";

/** Counts that add up, the win rate from them (a tie as half), and an interval that holds it. */
export function expectConsistent(summary: CompareSummary): void {
  expect(summary.wins + summary.losses + summary.ties).toBe(summary.n);
  expect(summary.winRate).toBeCloseTo((summary.wins + summary.ties / 2) / summary.n, 12);
  expect(summary.ci95[0]).toBeLessThanOrEqual(summary.winRate);
  expect(summary.ci95[1]).toBeGreaterThanOrEqual(summary.winRate);
}

/** `ba` is `ab` with the sides swapped: wins and losses trade, the win rates and interval mirror, lengths swap. */
export function expectMirrored(ab: CompareSummary, ba: CompareSummary): void {
  expect([ba.a, ba.b, ba.n, ba.wins, ba.losses, ba.ties]).toEqual([
    ab.b,
    ab.a,
    ab.n,
    ab.losses,
    ab.wins,
    ab.ties,
  ]);
  expect(ba.winRate).toBeCloseTo(1 - ab.winRate, 12);
  expect(ba.ci95[0]).toBeCloseTo(1 - ab.ci95[1], 12);
  expect(ba.ci95[1]).toBeCloseTo(1 - ab.ci95[0], 12);
  expect(ba.lengths).toEqual({ a: ab.lengths.b, b: ab.lengths.a });
  // The GLM's problem mirrors too; its optimum is found to a tolerance, not exactly.
  if (ab.lengthControlled === null) expect(ba.lengthControlled).toBeNull();
  else expect(ba.lengthControlled!.winRate).toBeCloseTo(1 - ab.lengthControlled.winRate, 6);
  expect(ba.judgeRequests).toBe(ab.judgeRequests);
}
