import type { QueueDb } from "./connection.js";
import { JudgeJobRecordSchema, type JudgeJobData, type JudgeJobRecord } from "./judge-job.js";
import { waitForRecords, type Outage } from "./wait.js";

export interface JudgedRowsOptions<R> {
  /** Why a judged row does not belong to this run (judged by another judge), or null. */
  misfit(row: R): string | null;
  /** Each judged row that fits, as it comes. */
  onRow(row: R): void;
  /** A job that brought no row this run can keep (failed, unreadable, or another judge's). */
  onFailure?(job: JudgeJobData): void;
  /** Where a lost and a regained connection are said. */
  warn(line: string): void;
  /** Shared with the queue's pool, which may notice a lost connection first. */
  outage?: Outage;
}

export interface JudgedRowsOutcome {
  /** Jobs that failed for good, or whose record this version cannot read: the item and why. */
  failures: { id: string; message: string }[];
  /** Why each row of another judge was not kept (`misfit`'s words). */
  otherJudge: string[];
}

/**
 * Waits for the rows of judge jobs (`tpo eval … --queue`) that workers judge, handing each row
 * that fits this run to `onRow` as it comes; what did not come is counted in the outcome, so the
 * caller keeps the rows that came and says how many are missing.
 */
export async function waitForJudgedRows<R>(
  queue: QueueDb,
  jobs: JudgeJobData[],
  options: JudgedRowsOptions<R>,
): Promise<JudgedRowsOutcome> {
  const outcome: JudgedRowsOutcome = { failures: [], otherJudge: [] };
  await waitForRecords<JudgeJobRecord, JudgeJobData>(queue, jobs, {
    recordSchema: JudgeJobRecordSchema,
    outage: options.outage,
    warn: options.warn,
    onResult: (result, job) => {
      const failed = (message: string) => {
        outcome.failures.push({ id: job.id, message });
        options.onFailure?.(job);
      };
      if (result.record === null) {
        return failed(
          `its worker made a record that this tpo cannot read (${result.unreadable}); run workers of the same version`,
        );
      }
      if (result.record.kind === "judge-failed") return failed(result.record.error.message);
      const row = result.record.row as R;
      const misfit = options.misfit(row);
      if (misfit !== null) {
        outcome.otherJudge.push(misfit);
        options.onFailure?.(job);
        return;
      }
      options.onRow(row);
    },
  });
  return outcome;
}
