import { TpoWriteError } from "../errors.js";
import type { TpoGraph } from "../graph/builder.js";
import type { ModelSettings } from "../from-env/models-from-env.js";
import { spentUsdOf, type BatchCostBudget } from "../eval/batch-cost-budget.js";
import type { Job } from "../eval/batch/plan.js";
import type { BatchRecord } from "../eval/batch/record.js";
import type { ResultsWriter } from "../eval/batch/results-file.js";
import { threadIdOf } from "../run/checkpoint.js";
import type { TpoRunOptions } from "../run/index.js";
import { addCacheCounts, type Usage } from "../state/state.js";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { runJob } from "./run-job.js";

export interface RunBatchOptions {
  graph: TpoGraph;
  /** The models' settings, as the records describe them. */
  settings: ModelSettings;
  /** Queries at once. */
  concurrency: number;
  /** Each record, appended as its query ends. */
  writer: ResultsWriter;
  /** Whether the graph has a checkpointer: each query is then a thread of its own (`threadIdOf`). */
  checkpointed: boolean;
  /** Whether a query goes on from its checkpoint. */
  resume: boolean;
  /** Deletes a finished query's checkpoints; unset, they stay. */
  forget?(threadId: string): Promise<void>;
  /** US dollars the batch may spend: a query that could pass it is not started. */
  budget?: BatchCostBudget;
  /** Traces a query's run (into a LangSmith experiment). */
  traceOf?(job: Job): Promise<Pick<TpoRunOptions, "callbacks" | "runId"> | undefined>;
  /** Each record once it is written. */
  onRecord?(record: BatchRecord): void;
}

export interface BatchOutcome {
  /** Queries whose record carries an error. */
  failed: number;
  /** What the persistent cache answered, over all the queries. */
  fromCache: Usage["fromCache"];
}

/**
 * Runs the jobs, `concurrency` at once, and appends each one's record to the writer. A failed
 * query is a record, not a throw: only a failure to write one stops the batch, as a TpoWriteError.
 */
export async function runBatch(jobs: Job[], options: RunBatchOptions): Promise<BatchOutcome> {
  const { budget, forget } = options;
  const outcome: BatchOutcome = { failed: 0, fromCache: undefined };
  // Once a record cannot be written, no worker starts a query and those in flight are stopped:
  // their records could not be kept, and a real API would bill them.
  let writeError: unknown;
  try {
    await mapWithConcurrency(jobs, options.concurrency, async (job, _index, signal) => {
      if (budget && !(await budget.admit())) return;
      let record: BatchRecord | undefined;
      try {
        record = await runJob(job, options.graph, options.settings, {
          threadId: options.checkpointed ? threadIdOf(job.item.id, job.mode) : undefined,
          resume: options.resume,
          signal,
          trace: await options.traceOf?.(job),
        });
      } finally {
        budget?.finish(spentUsdOf(record?.usage));
      }
      if (signal.aborted) return; // the batch is stopping: this record could not be kept
      try {
        options.writer.append(record);
      } catch (error) {
        writeError = error;
        throw error;
      }
      if (forget && options.checkpointed && !record.error) await forget(threadIdOf(record.id, record.mode!));
      if (record.error) outcome.failed++;
      outcome.fromCache = addCacheCounts(outcome.fromCache, record.usage?.fromCache);
      options.onRecord?.(record);
    });
  } catch (error) {
    if (writeError === undefined) throw error;
    throw new TpoWriteError(options.writer.path, writeError);
  }
  return outcome;
}
