import { TpoSettingsError } from "../errors.js";
import { ensureContext, type TpoContext } from "../settings/run-settings.js";
import type { HistoryRecord, StopReason, TpoStateType, Usage } from "../state/state.js";
import { type TpoNode } from "./contract.js";
import { bestAndWorst } from "./select.js";

/** The critic's requests of an iteration besides its update: the critique and the gradient. */
const CRITIC_REQUESTS = 2;

/** How many iterations in a row, up to the last, did not raise the best score of the pool. */
export function iterationsWithoutGain(history: readonly HistoryRecord[]): number {
  let count = 0;
  for (let k = history.length - 1; k >= 1; k--) {
    const best = history[k].bestSoFar ?? -Infinity;
    const before = history[k - 1].bestSoFar ?? -Infinity;
    if (best > before) break;
    count++;
  }
  return count;
}

/**
 * What the next iteration will cost: what the last one did. Before the first iteration only the
 * first sampling is known: the next one is estimated as its update (the same requests and
 * tokens) plus the critique and gradient requests, with as many tokens again.
 */
export function nextIterationEstimate(history: readonly HistoryRecord[]): {
  requests: number;
  tokens: number;
  costUsd: number;
} {
  const last = history[history.length - 1];
  if (!last) return { requests: 0, tokens: 0, costUsd: 0 };
  const tokens = last.usage.promptTokens + last.usage.completionTokens;
  const costUsd = last.usage.costUsd ?? 0;
  if (last.iteration >= 1) return { requests: last.usage.modelRequests, tokens, costUsd };
  return { requests: last.usage.modelRequests + CRITIC_REQUESTS, tokens: 2 * tokens, costUsd: 2 * costUsd };
}

/** Whether one more iteration would pass the query's token or request budget. */
export function wouldPassBudget(usage: Usage, history: readonly HistoryRecord[], ctx: TpoContext): boolean {
  const next = nextIterationEstimate(history);
  const tokens = usage.promptTokens + usage.completionTokens;
  return (
    (ctx.budgetTokens !== undefined && tokens + next.tokens > ctx.budgetTokens) ||
    (ctx.budgetRequests !== undefined && usage.modelRequests + next.requests > ctx.budgetRequests)
  );
}

/**
 * Whether one more iteration would pass the query's dollar budget. Without prices there is no
 * cost to compare, and guessing one would be worse than refusing.
 */
export function wouldPassCost(usage: Usage, history: readonly HistoryRecord[], ctx: TpoContext): boolean {
  if (ctx.budgetUsd === undefined) return false;
  if (usage.costUsd === undefined) {
    throw new TpoSettingsError(
      "budgetUsd",
      "The run setting budgetUsd (--max-cost) needs prices: give the models' prices with --prices FILE (TPO_PRICES) or the price flags.",
    );
  }
  return usage.costUsd + nextIterationEstimate(history).costUsd > ctx.budgetUsd;
}

/**
 * Why no further iteration should start, or null to go on. The depth (and mode bon) ends every
 * run; before it, the target score, then patience, then the token or request budget, then the
 * dollar budget may end it early.
 */
export function stopReasonOf(state: TpoStateType, ctx: TpoContext): StopReason | null {
  if (ctx.mode === "bon" || state.iteration >= ctx.depth) return "depth";
  const best = bestAndWorst(state.pool)?.best.score;
  if (ctx.targetScore !== undefined && best !== undefined && best >= ctx.targetScore) return "target";
  if (ctx.patience !== undefined && iterationsWithoutGain(state.history) >= ctx.patience) return "patience";
  if (wouldPassBudget(state.usage, state.history, ctx)) return "budget";
  if (wouldPassCost(state.usage, state.history, ctx)) return "cost";
  return null;
}

/**
 * After select: whether another iteration starts. When it does not, it records why (`stopReason`)
 * and where (`stoppedAt`), and the run goes to finalize. Replace it to change the stopping rules.
 */
export function makeDecideNode(): TpoNode {
  return (state, runtime) => {
    const reason = stopReasonOf(state, ensureContext(runtime));
    return reason ? { stopReason: reason, stoppedAt: state.iteration } : {};
  };
}
