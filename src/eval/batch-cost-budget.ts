import type { Usage } from "../state/state.js";

/**
 * US dollars a query's run spent: its cost less what the persistent cache answered (a usage's
 * `costUsd` counts the cached part too, so that a re-run writes the same record). Undefined without prices.
 */
export function spentUsdOf(usage: Usage | undefined): number | undefined {
  if (usage?.costUsd === undefined) return undefined;
  return Math.max(0, usage.costUsd - (usage.fromCache?.costUsd ?? 0));
}

/**
 * A dollar budget for a whole batch (`--batch-max-cost`): a query starts only while what the
 * finished queries spent, plus an estimate of every query in flight and of the new one, stays
 * within the budget. A query is estimated at the mean cost of the queries finished so far; before
 * any has finished there is no estimate, so the first query runs alone. What a query spent is
 * `spentUsdOf` its usage: what the cache answered costs nothing.
 */
export class BatchCostBudget {
  private spentUsd = 0;
  private finished = 0;
  private inFlight = 0;
  private refusedCount = 0;
  private stopped = false;
  private waiting: (() => void)[] = [];

  constructor(readonly limitUsd: number) {}

  /** US dollars spent by the queries that finished. */
  get spent(): number {
    return this.spentUsd;
  }

  /** Queries that were not started because the budget would have been passed. */
  get refused(): number {
    return this.refusedCount;
  }

  /**
   * Waits until the query may start (true) or the budget would be passed (false). Once one query
   * is refused, every later one is: the queries after it do not start either.
   */
  async admit(): Promise<boolean> {
    for (;;) {
      const decision = this.decide();
      if (decision === "start") {
        this.inFlight++;
        return true;
      }
      if (decision === "refuse") {
        this.stopped = true;
        this.refusedCount++;
        return false;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** No query starts any more (the cost of the queries cannot be known): those waiting are refused. */
  stop(): void {
    this.stopped = true;
    this.wakeWaiting();
  }

  /** A query that was admitted ended; `costUsd` is what it spent, undefined when its record has no cost. */
  finish(costUsd: number | undefined): void {
    this.inFlight--;
    if (costUsd !== undefined) {
      this.spentUsd += costUsd;
      this.finished++;
    }
    this.wakeWaiting();
  }

  private wakeWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  private decide(): "start" | "wait" | "refuse" {
    if (this.stopped) return "refuse";
    // Nothing known of a query's cost yet: one runs alone, unless the budget is nothing at all.
    if (this.finished === 0) return this.inFlight > 0 ? "wait" : this.limitUsd > 0 ? "start" : "refuse";
    const estimate = this.spentUsd / this.finished;
    if (this.spentUsd + (this.inFlight + 1) * estimate <= this.limitUsd) return "start";
    return this.inFlight > 0 ? "wait" : "refuse";
  }
}
