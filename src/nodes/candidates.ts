import { makeCandidate, type Candidate, type CandidateOrigin } from "../state/state.js";

/**
 * Turns sampled texts into new candidates: empty texts are failures, texts already in the pool or
 * repeated within the batch are one candidate.
 */
export function newCandidates(
  texts: string[],
  pool: Candidate[],
  iteration: number,
  origin: CandidateOrigin,
): { candidates: Candidate[]; failures: number } {
  const seen = new Set(pool.map((c) => c.id));
  const candidates: Candidate[] = [];
  let failures = 0;
  for (const text of texts) {
    const trimmed = text.trim();
    if (!trimmed) {
      failures++;
      continue;
    }
    const candidate = makeCandidate(trimmed, iteration, origin);
    if (seen.has(candidate.id)) continue;
    seen.add(candidate.id);
    candidates.push(candidate);
  }
  return { candidates, failures };
}
