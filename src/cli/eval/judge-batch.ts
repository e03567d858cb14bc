import type { ResultsWriter } from "../../eval/batch/results-file.js";
import { judgeItems } from "../../eval/judge-items.js";
import { MissingLogprobsError } from "../../eval/leaderboard/judge-calls.js";
import { TpoWriteError } from "../../errors.js";
import { ProgressBar } from "../batch/progress-bar.js";
import { CliRunError, CliUsageError } from "../errors.js";
import type { OutStream } from "../io.js";

const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0]!.replace(/\.+$/, "");

/**
 * Judges `todo` (`judgeItems`) with `tpo compare`'s progress and failure lines: the error says how
 * many are judged and that a rerun continues. A usage error (a judge without log-probabilities)
 * stops it as it is.
 */
export async function judgeInBatch<T, R>(
  todo: readonly T[],
  run: {
    command: string;
    out: string;
    concurrency: number;
    quiet?: boolean;
    /** Items already judged in --out, and all items: the error's count. */
    kept: () => number;
    total: number;
    idOf: (item: T) => string;
    judge: (item: T) => Promise<R>;
    /** Where each result is appended as it is judged. */
    writer: ResultsWriter<R>;
    /** Each result once it is written. */
    onJudged: (result: R) => void;
    detail?: () => string;
    /** Where progress goes: the command's standard error. */
    stderr: OutStream;
  },
): Promise<void> {
  const progress = new ProgressBar(todo.length, {
    label: run.command,
    tty: run.stderr.isTTY === true,
    write: (text) => run.stderr.write(text),
    detail: run.detail,
  });
  let failure: { item: T; error: unknown } | null;
  if (!run.quiet) progress.start();
  try {
    ({ failure } = await judgeItems(todo, {
      concurrency: run.concurrency,
      judge: run.judge,
      writer: run.writer,
      onJudged: (result) => {
        run.onJudged(result);
        progress.tick();
      },
      onFailure: () => progress.tick(true),
    }));
  } catch (error) {
    if (!(error instanceof TpoWriteError)) throw error;
    throw new CliRunError(
      `writing ${run.out} failed (${reasonOf(error.cause)}), so no more items were judged; ${run.kept()} of ` +
        `${run.total} are judged. Make room (or fix the file), then run the command again: it continues.`,
      { cause: error.cause },
    );
  } finally {
    if (!run.quiet) progress.stop();
  }
  if (failure !== null) {
    const { item, error } = failure;
    if (error instanceof CliUsageError || error instanceof MissingLogprobsError) throw error;
    throw new CliRunError(
      `${run.idOf(item)}: ${reasonOf(error)}. ${run.kept()} of ${run.total} are judged in ${run.out}; ` +
        "run the same command again to judge the rest.",
      { cause: error },
    );
  }
}
