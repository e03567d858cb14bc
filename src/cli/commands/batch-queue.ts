import { enqueueJobs } from "../../queue/enqueue.js";
import type { QueueDb } from "../../queue/connection.js";
import type { QueueJobData, RetryPolicy } from "../../queue/job.js";
import { BatchCostBudget, spentUsdOf } from "../../eval/batch-cost-budget.js";
import { CliRunError, CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { recordUnreadable, reportFailedRecord, summarizeResults } from "../batch/finish.js";
import { itemsOfBatch, type QueueBatch } from "../batch/batch-flags.js";
import { lockResults } from "../batch/lock.js";
import { planJobs } from "../../eval/batch/plan.js";
import { BatchProgress } from "../batch/progress-bar.js";
import { BatchRecordSchema, type BatchRecord } from "../../eval/batch/record.js";
import { BATCH_RECORDS, previousResults, ResultsWriter } from "../../eval/batch/results-file.js";
import { settingsDifferences } from "../../eval/batch/settings-check.js";
import { misfitRecordOf, queueJobOf } from "../../batch/queue-jobs.js";
import { OutModels } from "../../eval/batch/models-check.js";
import { openQueueForCli } from "../queue/open.js";
import { JobFeed, Outage, waitForRecords } from "../../queue/wait.js";
import { warnOnStderr } from "../warn.js";
import { ExperimentUpload } from "../../langsmith/experiment-upload.js";
import { withExperiment } from "../../langsmith/queue-uploads.js";
import { uploadHostOf } from "../langsmith.js";
import { experimentRecordsOf, queriesOfItems } from "../../langsmith/records.js";
import { writeLine, type CliIo } from "../io.js";

/**
 * `tpo batch INPUT --queue URL --out FILE`: enqueues one job per query and mode (idempotently: a
 * job the queue has already is not made again), then waits for the workers and appends each
 * record to --out as its job ends, with the summary of a plain batch at the end. `--detach` only
 * enqueues. The same command again continues --out: it writes what is missing and nothing twice.
 * Its flags are read with the plain batch's (../batch/batch-flags.ts).
 *
 * With `--batch-max-cost`, this command meters the budget for every worker: it enqueues a job only
 * while what the finished jobs spent plus the estimate of those in flight allows
 * (enqueueWithinBudget); a job not enqueued is one no worker can take.
 */
export async function batchOnQueue(flags: QueueBatch, io: CliIo): Promise<void> {
  const { input, contexts, dataset } = flags;
  const items = await itemsOfBatch(flags, io);
  if (items.length === 0) return;
  const budget = flags.batchMaxCost === undefined ? undefined : new BatchCostBudget(flags.batchMaxCost);
  /** Jobs whose record the queue had before this run: what they spent is not this run's. */
  const paidBefore = new Set<string>();
  /** A record without a cost (a worker without prices): the budget can no longer be metered. */
  let unpriced: BatchRecord | undefined;

  const release = lockResults(flags.out); // before reading --out: one writer at a time
  const failed: BatchRecord[] = [];
  const otherModels: { record: BatchRecord; differences: string[] }[] = [];
  let total = 0;
  let experiments: ExperimentUpload | undefined;
  try {
    const existing = previousResults(
      flags.out,
      { resume: true, overwrite: flags.overwrite },
      "tpo batch",
      BATCH_RECORDS,
      warnOnStderr("tpo batch", io.stderr),
    );
    const differences = settingsDifferences(existing.values(), contexts, null);
    if (differences.length > 0 && !flags.allowMixed) {
      throw new CliUsageError(
        `--out ${flags.out} holds records made with other settings than this run's (${differences.join("; ")}). ` +
          "Run with the records' settings, or pass --allow-mixed to add records of these settings (the summary keeps them apart).",
      );
    }
    const outModels = new OutModels(existing.values(), contexts);
    const { jobs, unreadable } = planJobs(items, contexts, existing, flags.retryFailed);
    total = jobs.length + unreadable.length;
    // Before enqueueing: each job names its run's experiment and example, for its worker to upload.
    experiments = flags.langsmith
      ? await ExperimentUpload.start(
          "tpo batch",
          flags.langsmith,
          queriesOfItems(items),
          flags.modes,
          uploadHostOf(io),
        )
      : undefined;
    const queueJobs = jobs.map((job) => withExperiment(queueJobOf(job, dataset), experiments));
    const outage = new Outage((line) => writeLine(io.stderr, `tpo batch: ${line}`));
    const queue = await openQueueForCli(flags.queue, io.env, {
      what: "tpo batch --queue",
      onLostConnection: (reason) =>
        outage.lost(`a connection to the queue was lost (${reason}); later reads open a new one.`),
    });
    const writer = new ResultsWriter(flags.out, { truncate: flags.overwrite });
    try {
      recordUnreadable(writer, unreadable, input, io.stderr);
      failed.push(
        ...unreadable.map((item) => ({
          id: item.id,
          mode: null,
          query: null,
          elapsedMs: 0,
          finishedAt: "",
          error: { message: item.error! },
        })),
      );
      const feed = budget && new JobFeed();
      const enqueued = budget
        ? null
        : await enqueueJobs(queue, queueJobs, flags.policy, { retryFailed: flags.retryFailed });
      if (budget && !flags.quiet)
        writeLine(
          io.stderr,
          escapeControl(
            `tpo batch: enqueuing ${queueJobs.length} job${queueJobs.length === 1 ? "" : "s"} on ${queue.where} (data set "${dataset}") ` +
              `as --batch-max-cost ${budget.limitUsd} allows.`,
          ),
        );
      if (enqueued && (!flags.quiet || flags.detach))
        writeLine(
          io.stderr,
          escapeControl(
            `tpo batch: ${enqueued.added} new job${enqueued.added === 1 ? "" : "s"} on ${queue.where} (data set "${dataset}")` +
              (enqueued.pending > 0 ? `, ${enqueued.pending} queued or running already` : "") +
              (enqueued.finished > 0 ? `, ${enqueued.finished} finished already` : "") +
              (enqueued.requeued > 0 ? `, ${enqueued.requeued} failed ones put back` : "") +
              (jobs.length === 0 ? `; every query of ${input} has a record in ${flags.out}` : "") +
              ".",
          ),
        );
      if (flags.detach) {
        writeLine(
          io.stderr,
          "tpo batch: detached. Start `tpo worker <url>` on the machines that run the queries; this same command " +
            "(without --detach) waits for them and writes the records.",
        );
        return;
      }
      let workers: number | null = null;
      const progress = new BatchProgress(
        queueJobs.length,
        { tty: io.stderr.isTTY === true, write: (text) => io.stderr.write(text) },
        () => (workers === null ? "" : `${workers} worker${workers === 1 ? "" : "s"} active`),
      );
      if (!flags.quiet && queueJobs.length > 0) progress.start();
      const feeding =
        budget && enqueueWithinBudget(queue, queueJobs, flags, budget, feed!, (key) => paidBefore.add(key));
      try {
        const waiting = waitForRecords(queue, budget ? [] : queueJobs, {
          recordSchema: BatchRecordSchema,
          feed,
          onResult: (result, job) => {
            const batchRecord = result.record ?? misfitRecordOf(job, result.unreadable);
            if (budget) {
              const costUsd = paidBefore.has(job.key) ? undefined : spentUsdOf(batchRecord.usage);
              budget.finish(costUsd);
              if (costUsd === undefined && !paidBefore.has(job.key) && !batchRecord.error && !unpriced) {
                unpriced = batchRecord;
                budget.stop();
              }
            }
            const differences = outModels.differences(batchRecord);
            if (differences.length > 0 && !flags.allowMixed) {
              otherModels.push({ record: batchRecord, differences });
              writeLine(
                io.stderr,
                escapeControl(
                  `tpo batch: not writing the record of ${batchRecord.id} (${batchRecord.mode}) to ${flags.out}: ` +
                    `its worker has other models (${differences.join("; ")}).`,
                ),
              );
              progress.complete(batchRecord.mode, null);
              return;
            }
            writer.append(batchRecord);
            if (batchRecord.error) {
              failed.push(batchRecord);
              if (!flags.quiet) reportFailedRecord(batchRecord, io.stderr);
            }
            progress.complete(batchRecord.mode, batchRecord.best?.score ?? null);
          },
          outage,
          warn: (line) => writeLine(io.stderr, line),
          onWorkers: (active) => {
            workers = active;
          },
        });
        // The records of every job enqueued are written before a failure to enqueue is thrown.
        const [fed, waited] = await Promise.allSettled([feeding, waiting]);
        for (const settled of [waited, fed]) if (settled.status === "rejected") throw settled.reason;
      } finally {
        if (!flags.quiet && queueJobs.length > 0) progress.stop();
      }
    } finally {
      writer.close();
      await queue.close();
    }
  } finally {
    release();
  }
  if (flags.detach) return;

  summarizeResults(flags.out, flags.modes, flags.format, io.stdout);
  // The workers uploaded the runs of their jobs; what is missing (a worker without LangSmith, a job
  // enqueued before, a record from an earlier run) is uploaded from --out, without iteration trees.
  await experiments?.finish(experimentRecordsOf(flags.out), flags.out);
  if (budget && budget.refused > 0 && !unpriced) {
    writeLine(
      io.stderr,
      `tpo batch: --batch-max-cost ${budget.limitUsd} reached: this run spent $${budget.spent.toFixed(4)}, and ` +
        `${budget.refused} of ${total} queries were not started (never enqueued: no worker could take them). ` +
        "Run the same command again to run them (its --batch-max-cost is what that run may spend).",
    );
  }
  if (unpriced) {
    throw new CliUsageError(
      escapeControl(
        `--batch-max-cost: the record of ${unpriced.id} (${unpriced.mode}) has no cost, as its worker has no prices, so the budget ` +
          `cannot be metered and no more jobs were enqueued (${budget!.refused} of ${total} queries were not started). ` +
          "Give every tpo worker the prices (--prices FILE or TPO_PRICES), then run this command again: it runs the rest.",
      ),
    );
  }
  if (otherModels.length > 0) {
    const differences = [...new Set(otherModels.flatMap((o) => o.differences))];
    throw new CliUsageError(
      escapeControl(
        `${otherModels.length} of ${total} records came from workers with other models than the records of ${flags.out} ` +
          `(${differences.join("; ")}) and were not written. Run every worker with the same models, or run this command ` +
          "again with --allow-mixed to add them (the summary keeps them apart); they stay in the queue, nothing runs again.",
      ),
    );
  }
  if (failed.length > 0) {
    const listed = failed.slice(0, 10).map((r) => `${r.id} (${r.mode ?? "unreadable"})`);
    throw new CliRunError(
      escapeControl(
        `${failed.length} of ${total} queries failed: ${listed.join(", ")}${failed.length > 10 ? ", …" : ""}; their records in ${flags.out} ` +
          "carry the error (this command again with --retry-failed puts them back in the queue and waits for them).",
      ),
    );
  }
}

/**
 * Enqueues the jobs one at a time, each once the budget admits it, and feeds each to the wait for
 * records (which ends the admitted jobs in the budget as their records come). `paid(key)` is told
 * of a job whose record the queue had already (an earlier run paid for it).
 */
async function enqueueWithinBudget(
  queue: QueueDb,
  jobs: QueueJobData[],
  flags: { policy: RetryPolicy; retryFailed: boolean },
  budget: BatchCostBudget,
  feed: JobFeed,
  paid: (key: string) => void,
): Promise<void> {
  try {
    for (const job of jobs) {
      if (!(await budget.admit())) continue;
      const result = await enqueueJobs(queue, [job], flags.policy, { retryFailed: flags.retryFailed });
      if (result.finished > 0) paid(job.key);
      feed.add(job);
    }
  } finally {
    feed.close();
  }
}
