import { TpoWriteError } from "../errors.js";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import type { ResultsWriter } from "./batch/results-file.js";

export interface JudgeItemsOptions<T, R> {
  /** Items judged at once. */
  concurrency: number;
  judge(item: T): Promise<R>;
  /** Each judged row, appended as its item is judged. */
  writer: ResultsWriter<R>;
  /** Each row once it is written. */
  onJudged?(row: R): void;
  /** An item the judge failed on. */
  onFailure?(item: T): void;
}

/**
 * Judges items (a comparison's pairs, a leaderboard's answers), `concurrency` at
 * once, appending each row as it is judged. After a failure no new item starts; those in flight
 * finish and are kept. Returns the first item that failed, if any; a failure to write throws a
 * TpoWriteError (the rows written stay).
 */
export async function judgeItems<T, R>(
  todo: readonly T[],
  options: JudgeItemsOptions<T, R>,
): Promise<{ failure: { item: T; error: unknown } | null }> {
  let failure: { item: T; error: unknown } | null = null;
  let writeError: unknown;
  await mapWithConcurrency(todo, options.concurrency, async (item) => {
    if (failure || writeError !== undefined) return;
    let row: R;
    try {
      row = await options.judge(item);
    } catch (error) {
      failure ??= { item, error };
      options.onFailure?.(item);
      return;
    }
    try {
      options.writer.append(row);
    } catch (error) {
      writeError ??= error;
      return;
    }
    options.onJudged?.(row);
  });
  if (writeError !== undefined) throw new TpoWriteError(options.writer.path, writeError);
  return { failure };
}
