import { mapWithConcurrency } from "../../util/map-with-concurrency.js";
import { ProgressBar } from "../batch/progress-bar.js";
import { CliRunError, CliUsageError } from "../errors.js";
import type { OutStream } from "../io.js";
import { MissingLogprobsError } from "../../eval/leaderboard/judge-calls.js";

const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0]!.replace(/\.+$/, "");

/**
 * Judges `todo` with at most `concurrency` items in flight, handing each result to `keep` (which
 * writes it) as it finishes, with `tpo compare`'s progress and failure rules: after a failure no new
 * item starts, those in flight finish and are kept, and the error says how many are judged and
 * that a rerun continues. A usage error (a judge without log-probabilities) stops it as it is.
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
    keep: (result: R) => void;
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
  let failure: { id: string; error: unknown } | null = null;
  let writeError: unknown;
  if (!run.quiet) progress.start();
  try {
    await mapWithConcurrency(todo, run.concurrency, async (item) => {
      if (failure || writeError !== undefined) return;
      let result: R;
      try {
        result = await run.judge(item);
      } catch (error) {
        failure ??= { id: run.idOf(item), error };
        progress.tick(true);
        return;
      }
      try {
        run.keep(result);
      } catch (error) {
        writeError ??= error;
        return;
      }
      progress.tick();
    });
  } finally {
    if (!run.quiet) progress.stop();
  }
  if (writeError !== undefined) {
    throw new CliRunError(
      `writing ${run.out} failed (${reasonOf(writeError)}), so no more items were judged; ${run.kept()} of ` +
        `${run.total} are judged. Make room (or fix the file), then run the command again: it continues.`,
      { cause: writeError },
    );
  }
  if (failure !== null) {
    const { id, error } = failure as { id: string; error: unknown };
    if (error instanceof CliUsageError || error instanceof MissingLogprobsError) throw error;
    throw new CliRunError(
      `${id}: ${reasonOf(error)}. ${run.kept()} of ${run.total} are judged in ${run.out}; ` +
        "run the same command again to judge the rest.",
      { cause: error },
    );
  }
}
