import { describe, expect, it } from "vitest";
import { BatchCostBudget, spentUsdOf } from "../src/eval/batch-cost-budget.js";

/** Whether a promise has settled, after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("a batch's dollar budget", () => {
  it("runs the first query alone: nothing is known of a query's cost before one finishes", async () => {
    const budget = new BatchCostBudget(1);
    expect(await budget.admit()).toBe(true);
    const second = budget.admit();
    expect(await settled(second)).toBe(false);
    budget.finish(0.1);
    expect(await second).toBe(true);
  });

  it("starts a query only while spent plus every query in flight, at the mean cost, stays within it", async () => {
    const budget = new BatchCostBudget(0.5);
    await budget.admit();
    budget.finish(0.1); // spent $0.10, estimate $0.10 a query
    expect(await budget.admit()).toBe(true); // 0.1 + 1 × 0.1 = 0.2
    expect(await budget.admit()).toBe(true); // 0.1 + 2 × 0.1 = 0.3
    expect(await budget.admit()).toBe(true); // 0.4
    expect(await budget.admit()).toBe(true); // 0.5: lands exactly on the budget
    const sixth = budget.admit(); // 0.6 would pass it: waits for a query in flight
    expect(await settled(sixth)).toBe(false);
    budget.finish(0.3); // spent 0.4 over 2 queries: estimate 0.2; 0.4 + 4 × 0.2 = 1.2
    expect(await settled(sixth)).toBe(false);
    budget.finish(0.1);
    budget.finish(0.1);
    budget.finish(0.1); // spent 0.7 over 5: over the budget, nothing in flight
    expect(await sixth).toBe(false);
    expect(budget.spent).toBeCloseTo(0.7, 10);
  });

  it("refuses every query after the first it refuses, and counts them", async () => {
    const budget = new BatchCostBudget(0.15);
    await budget.admit();
    budget.finish(0.1); // 0.1 + 0.1 > 0.15
    expect(await budget.admit()).toBe(false);
    expect(await budget.admit()).toBe(false);
    expect(budget.refused).toBe(2);
  });

  it("once stopped, refuses the query waiting and every later one", async () => {
    const budget = new BatchCostBudget(1);
    await budget.admit();
    const waiting = budget.admit();
    expect(await settled(waiting)).toBe(false);
    budget.stop(); // e.g. a record without a cost: the budget can no longer be metered
    expect(await waiting).toBe(false);
    budget.finish(undefined);
    expect(await budget.admit()).toBe(false);
    expect(budget.refused).toBe(2);
  });

  it("a budget of 0 starts nothing", async () => {
    const budget = new BatchCostBudget(0);
    expect(await budget.admit()).toBe(false);
  });

  it("counts what a query spent: its cost less what the cache answered; nothing without prices", () => {
    expect(spentUsdOf({ costUsd: 0.05, fromCache: { costUsd: 0.02 } } as never)).toBeCloseTo(0.03, 12);
    expect(spentUsdOf({ costUsd: 0.05 } as never)).toBe(0.05);
    expect(spentUsdOf({ costUsd: 0.05, fromCache: { costUsd: 0.05 } } as never)).toBe(0);
    expect(spentUsdOf({ promptTokens: 10 } as never)).toBeUndefined();
    expect(spentUsdOf(undefined)).toBeUndefined();
  });
});
