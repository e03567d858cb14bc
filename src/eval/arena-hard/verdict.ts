/** The verdict labels that arena-hard-auto's scoring reads (both forms of each). */
const VALID = new Set(["A>>B", "A>B", "A=B", "B>A", "B>>A", "A<<B", "A<B", "B=A", "B<A", "B<<A"]);

/** arena-hard-auto's regex_patterns (config/arena-hard-v2.0.yaml), tried in order. */
const PATTERNS = [/\[\[([AB<>=]+)\]\]/g, /\[([AB<>=]+)\]/g];

/**
 * The verdict of an Arena-Hard judgment, as gen_judgment.py's `get_score` reads it: the judgment
 * upper-cased, the first pattern that matches anything, its last match. Null when nothing matches,
 * or when the match is no verdict that the scoring knows (`[[A>B>]]`): a game to ask again.
 */
export function verdictOf(judgment: string): string | null {
  const text = judgment.toUpperCase();
  for (const pattern of PATTERNS) {
    const matches = [...text.matchAll(pattern)].map((m) => m[1]!).filter((m) => m !== "");
    if (matches.length > 0) {
      const last = matches[matches.length - 1]!;
      return VALID.has(last) ? last : null;
    }
  }
  return null;
}
