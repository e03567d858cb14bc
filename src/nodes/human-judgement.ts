import type { Candidate } from "../state/state.js";

/** What the human reward node asks, as the value of its interrupt. */
export interface HumanRewardRequest {
  type: "tpo.human_reward";
  /** The iteration whose candidates are judged: 0 for the first samples, k after the k-th update. */
  iteration: number;
  query: string;
  /** The candidates to judge, in the order an array of scores follows. */
  candidates: { id: string; text: string }[];
  /** The best response so far, for reference (null before anything was scored). */
  bestSoFar: { id: string; text: string; score: number } | null;
  /** Why the previous answer was refused; null when asking for the first time. */
  error: string | null;
  instructions: string;
}

/**
 * An answer: one score per candidate (array in request order, or a record id → score), or a pick
 * of the best and the worst candidate.
 */
export type HumanJudgement = number[] | Record<string, number> | { best: string; worst: string };

export const HUMAN_REWARD_INSTRUCTIONS =
  "Resume with one score per candidate, higher is better: an array of numbers in the order of " +
  '"candidates", or an object mapping each candidate id to its score. Or pick { "best": id, "worst": id }: ' +
  "the best then ranks above every response so far, the worst below, and the others stay unscored and are " +
  "never chosen.";

export type JudgementResult = { ok: true; judged: Candidate[] } | { ok: false; error: string };

const isScore = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function scoresByPosition(answer: unknown[], pending: Candidate[]): JudgementResult {
  if (answer.length !== pending.length) {
    return {
      ok: false,
      error: `Got ${answer.length} scores for ${pending.length} candidates; give one per candidate.`,
    };
  }
  const bad = answer.findIndex((s) => !isScore(s));
  if (bad >= 0) return { ok: false, error: `Score ${bad} is ${describe(answer[bad])}, not a finite number.` };
  return { ok: true, judged: pending.map((c, i) => ({ ...c, score: answer[i] as number })) };
}

function scoresById(answer: Record<string, unknown>, pending: Candidate[]): JudgementResult {
  const ids = new Set(pending.map((c) => c.id));
  const unknown = Object.keys(answer).filter((id) => !ids.has(id));
  if (unknown.length > 0) return { ok: false, error: `Unknown candidate id ${describe(unknown[0])}.` };
  const missing = pending.find((c) => !(c.id in answer));
  if (missing) return { ok: false, error: `No score for candidate ${missing.id}; give one per candidate.` };
  const bad = pending.find((c) => !isScore(answer[c.id]));
  if (bad)
    return {
      ok: false,
      error: `The score of ${bad.id} is ${describe(answer[bad.id])}, not a finite number.`,
    };
  return { ok: true, judged: pending.map((c) => ({ ...c, score: answer[c.id] as number })) };
}

function pick(best: unknown, worst: unknown, pending: Candidate[], pool: Candidate[]): JudgementResult {
  const byId = new Map(pending.map((c) => [c.id, c]));
  for (const [role, id] of [
    ["best", best],
    ["worst", worst],
  ] as const) {
    if (typeof id !== "string" || !byId.has(id)) {
      return { ok: false, error: `The ${role} pick ${describe(id)} is not the id of a candidate to judge.` };
    }
  }
  if (best === worst && pending.length > 1) {
    return {
      ok: false,
      error: "The best and the worst pick are the same candidate; pick two different ones.",
    };
  }
  // A pick is ordinal; scores place it against what the pool has: best on top, worst at the bottom.
  const scores = pool.map((c) => c.score).filter(isScore);
  const top = scores.length > 0 ? Math.max(...scores) + 1 : 1;
  const bottom = scores.length > 0 ? Math.min(...scores) - 1 : 0;
  return {
    ok: true,
    judged: pending.map((c) =>
      c.id === best
        ? { ...c, score: top }
        : c.id === worst
          ? { ...c, score: bottom }
          : { ...c, judgedWithoutScore: true },
    ),
  };
}

/** Checks a person's answer against the candidates they were asked about. */
export function parseHumanJudgement(
  answer: unknown,
  pending: Candidate[],
  pool: Candidate[],
): JudgementResult {
  if (Array.isArray(answer)) return scoresByPosition(answer, pending);
  if (typeof answer === "object" && answer !== null) {
    const record = answer as Record<string, unknown>;
    if ("best" in record || "worst" in record) return pick(record.best, record.worst, pending, pool);
    return scoresById(record, pending);
  }
  return { ok: false, error: `The answer ${describe(answer)} is neither scores nor a pick.` };
}
