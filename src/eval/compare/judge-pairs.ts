import type { ModelPrice } from "../../models/prices.js";
import type { ResultsWriter } from "../batch/results-file.js";
import { judgeItems } from "../judge-items.js";
import type { PairwiseJudge } from "./judge.js";
import { judgePair, type JudgeDescription, type Judgment } from "./judgment.js";
import type { Pair } from "./pairs.js";

export interface JudgePairsOptions {
  judge: PairwiseJudge;
  /** The sides' labels and the judge, as each judgment records them. */
  sides: { a: string; b: string; judge: JudgeDescription };
  /** The judge's price: each judgment then says what it cost. */
  price?: ModelPrice;
  /** Pairs judged at once. */
  concurrency: number;
  /** Each judgment, appended as its pair is judged. */
  writer: ResultsWriter<Judgment>;
  /** Each judgment once it is written. */
  onJudgment?(judgment: Judgment): void;
  /** A pair the judge failed on. */
  onFailure?(pair: Pair): void;
}

/**
 * Judges the pairs in both orders, `concurrency` at once, appending each judgment as it finishes.
 * After a failure no new pair starts; the pairs in flight finish and are kept. Returns the first
 * pair that failed, if any; a failure to write throws a TpoWriteError (the judgments written stay).
 */
export async function judgePairs(
  pairs: Pair[],
  options: JudgePairsOptions,
): Promise<{ failure: { id: string; error: unknown } | null }> {
  const { failure } = await judgeItems(pairs, {
    concurrency: options.concurrency,
    judge: (pair) => judgePair(options.judge, pair, options.sides, options.price),
    writer: options.writer,
    onJudged: options.onJudgment,
    onFailure: options.onFailure,
  });
  return { failure: failure && { id: failure.item.id, error: failure.error } };
}
