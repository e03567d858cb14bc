import { TpoInputError } from "../errors.js";
import type { Candidate, TpoStateType } from "../state/state.js";
import type { TpoNodeName } from "./contract.js";

export function candidateById(state: TpoStateType, id: string | null): Candidate | null {
  return state.pool.find((c) => c.id === id) ?? null;
}

export function requireChosen(state: TpoStateType, node: TpoNodeName): Candidate {
  const chosen = candidateById(state, state.chosen);
  if (!chosen)
    throw new TpoInputError(`The ${node} node needs a chosen candidate, but select has not chosen one.`);
  return chosen;
}
