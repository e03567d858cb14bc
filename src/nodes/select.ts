import { TpoError } from "../errors.js";
import { type TpoNode } from "./contract.js";
import type { Candidate, TpoStateType } from "../state/state.js";

type Scored = Candidate & { score: number };

/** Best and worst scored candidates of the whole pool; ties go to the earliest candidate. */
export function bestAndWorst(pool: Candidate[]): { best: Scored; worst: Scored } | null {
  let best: Scored | null = null;
  let worst: Scored | null = null;
  for (const candidate of pool) {
    if (candidate.score === null) continue;
    const scored = candidate as Scored;
    if (!best || scored.score > best.score) best = scored;
    if (!worst || scored.score < worst.score) worst = scored;
  }
  return best && worst ? { best, worst } : null;
}

export function requireBestAndWorst(state: TpoStateType): { best: Scored; worst: Scored } {
  const pair = bestAndWorst(state.pool);
  if (!pair) throw new TpoError("No scored candidate in the pool: the reward node must run before select.");
  return pair;
}

/**
 * Chosen = best, rejected = worst, over every candidate of every iteration. With one distinct
 * score there is no rejected response, and the critique judges the chosen one alone.
 */
export function makeSelectNode(): TpoNode {
  return (state) => {
    const { best, worst } = requireBestAndWorst(state);
    return { chosen: best.id, rejected: worst.id === best.id ? null : worst.id };
  };
}
