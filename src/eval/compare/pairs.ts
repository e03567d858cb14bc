import type { Answer } from "./sides.js";

/** One query answered on both sides. */
export interface Pair {
  id: string;
  query: string;
  a: string;
  b: string;
}

export interface Matching {
  /** Sorted by id, so that the order (and the bootstrap's resamples) never depends on file order or on which side is a. */
  pairs: Pair[];
  /** Ids with an answer on one side only: reported, never guessed. */
  onlyA: string[];
  onlyB: string[];
  /** Ids whose two answers are to different queries (two files that reuse ids): left out and reported. */
  differentQueries: string[];
}

const byId = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Matches the two sides' answers by query id. */
export function matchPairs(a: Map<string, Answer>, b: Map<string, Answer>): Matching {
  const pairs: Pair[] = [];
  const differentQueries: string[] = [];
  for (const [id, answerA] of a) {
    const answerB = b.get(id);
    if (answerB === undefined) continue;
    if (answerA.query !== answerB.query) differentQueries.push(id);
    else pairs.push({ id, query: answerA.query, a: answerA.text, b: answerB.text });
  }
  return {
    pairs: pairs.sort((x, y) => byId(x.id, y.id)),
    onlyA: [...a.keys()].filter((id) => !b.has(id)).sort(byId),
    onlyB: [...b.keys()].filter((id) => !a.has(id)).sort(byId),
    differentQueries: differentQueries.sort(byId),
  };
}
