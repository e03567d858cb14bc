import { z } from "zod";
import { pythonLength } from "../alpaca-eval/annotations.js";
import { PAIRWISE_VERDICTS } from "../../prompts/pairwise.js";
import { candidateId } from "../../state/state.js";
import { costOf, type ModelPrice } from "../../models/prices.js";
import type { PairwiseAnswer, PairwiseJudge, PositionalVerdict } from "./judge.js";
import type { Pair } from "./pairs.js";

/** Which side a verdict favours: a, b, or neither. */
export type Outcome = "a" | "b" | "tie";

/** One order of a pair: which side was shown first (as Response A), what the judge said, and for whom. */
export interface Game {
  shownFirst: "a" | "b";
  verdict: PositionalVerdict;
  winner: Outcome;
  rationale: string;
}

/** Who judged, as a compare file records it (never a key). */
export interface JudgeDescription {
  model: string;
  baseUrl?: string;
  /** "sim" for the simulated world in process. */
  backend?: string;
}

/** One line of a compare file: a pair judged in both orders. */
export interface Judgment {
  id: string;
  /** The sides, as labels: `tpo`, `first:tpo`, or with two files `tpo@run1.jsonl`. */
  a: string;
  b: string;
  /** a or b when both orders agree, else tie. */
  outcome: Outcome;
  games: [Game, Game];
  /** Characters of each side's answer (code points, as Python's len() and alpaca_eval count them). */
  lengths: { a: number; b: number };
  /** Each answer's candidate id (a hash of its text): a resumed comparison judges again a pair whose answers changed. */
  answers: { a: string; b: string };
  judgeRequests: number;
  /** US dollars of the pair's judge requests, at the judge's price; absent without one. */
  judgeCostUsd?: number;
  judge: JudgeDescription;
  finishedAt: string;
}

const OUTCOME = z.enum(["a", "b", "tie"]);
const SIDE = z.enum(["a", "b"]);
const GameSchema = z.object({
  shownFirst: SIDE,
  verdict: z.enum(PAIRWISE_VERDICTS),
  winner: OUTCOME,
  rationale: z.string(),
});

/** What `tpo compare` writes, checked where it is read back (`--resume`, `tpo report --compare`). */
export const JudgmentSchema = z.object({
  id: z.string(),
  a: z.string(),
  b: z.string(),
  outcome: OUTCOME,
  games: z.tuple([GameSchema, GameSchema]),
  lengths: z.object({ a: z.number(), b: z.number() }),
  answers: z.object({ a: z.string(), b: z.string() }),
  judgeRequests: z.number().int().min(0),
  judgeCostUsd: z.number().min(0).optional(),
  judge: z.object({ model: z.string(), baseUrl: z.string().optional(), backend: z.string().optional() }),
  finishedAt: z.string(),
});

// The schema checks what the interface declares: a field added to one only fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type JudgmentSchemaMatches = Assert<Same<z.output<typeof JudgmentSchema>, Judgment>>;

/** Characters of a rationale that a compare file keeps: a judge that rambles (or a hostile one) cannot grow the file without bound. */
export const RATIONALE_MAX_CHARS = 4000;

function storedRationale(text: string): string {
  if (text.length <= RATIONALE_MAX_CHARS) return text;
  let end = RATIONALE_MAX_CHARS - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1])) end--; // never half of a surrogate pair
  return `${text.slice(0, end)}…`;
}

/** The side a positional verdict favours, given which side was shown first. */
export function winnerOf(shownFirst: "a" | "b", verdict: PositionalVerdict): Outcome {
  if (verdict === "tie") return "tie";
  const shownSecond = shownFirst === "a" ? "b" : "a";
  return verdict === "A" ? shownFirst : shownSecond;
}

/** Both orders agree: that side (or a tie); they disagree: a tie. */
export function outcomeOf(games: readonly Game[]): Outcome {
  return games.every((g) => g.winner === games[0].winner) ? games[0].winner : "tie";
}

function gameOf(shownFirst: "a" | "b", answer: PairwiseAnswer): Game {
  return {
    shownFirst,
    verdict: answer.verdict,
    winner: winnerOf(shownFirst, answer.verdict),
    rationale: storedRationale(answer.rationale),
  };
}

/** The candidate ids of a pair's answers, as the pool names them. */
export function answerIds(pair: Pair): { a: string; b: string } {
  return { a: candidateId(pair.a), b: candidateId(pair.b) };
}

/** Whether a judgment is of these very answers (the results may have been run again since). */
export function judgesPair(judgment: Judgment, pair: Pair): boolean {
  const ids = answerIds(pair);
  return judgment.answers?.a === ids.a && judgment.answers?.b === ids.b;
}

/**
 * The pairs that `done` (the judgments already in the file, by pair id) has no judgment of, or
 * one of other answers (`changed` of them: their answers were rewritten since), to judge now.
 */
export function pairsToJudge(
  pairs: readonly Pair[],
  done: ReadonlyMap<string, Judgment>,
): { todo: Pair[]; changed: number } {
  const todo = pairs.filter((pair) => {
    const judged = done.get(pair.id);
    return judged === undefined || !judgesPair(judged, pair);
  });
  return { todo, changed: todo.filter((pair) => done.has(pair.id)).length };
}

/** Judges a pair in both orders, a shown first and then b shown first, to cancel position bias. */
export async function judgePair(
  judge: PairwiseJudge,
  pair: Pair,
  sides: { a: string; b: string; judge: JudgeDescription },
  price?: ModelPrice,
): Promise<Judgment> {
  const aFirst = await judge.judge(pair.query, pair.a, pair.b);
  const bFirst = await judge.judge(pair.query, pair.b, pair.a);
  const games: [Game, Game] = [gameOf("a", aFirst), gameOf("b", bFirst)];
  const costOfAnswer = (answer: PairwiseAnswer) =>
    costOf({ requests: answer.requests, ...answer.tokens }, price!);
  return {
    id: pair.id,
    a: sides.a,
    b: sides.b,
    outcome: outcomeOf(games),
    games,
    lengths: { a: pythonLength(pair.a), b: pythonLength(pair.b) },
    answers: answerIds(pair),
    judgeRequests: aFirst.requests + bFirst.requests,
    ...(price && { judgeCostUsd: costOfAnswer(aFirst) + costOfAnswer(bFirst) }),
    judge: sides.judge,
    finishedAt: new Date().toISOString(),
  };
}
