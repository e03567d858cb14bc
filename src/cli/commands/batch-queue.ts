import { enqueueJobs } from "../../queue/enqueue.js";
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
import { Outage, waitForRecords } from "../../queue/wait.js";
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
 */
export async function batchOnQueue(flags: QueueBatch, io: CliIo): Promise<void> {
  const { input, contexts, dataset } = flags;
  const items = await itemsOfBatch(flags, io);
  if (items.length === 0) return;

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
      const enqueued = await enqueueJobs(queue, queueJobs, flags.policy, {
        retryFailed: flags.retryFailed,
      });
      if (!flags.quiet || flags.detach)
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
      try {
        await waitForRecords(queue, queueJobs, {
          recordSchema: BatchRecordSchema,
          onResult: (result, job) => {
            const batchRecord = result.record ?? misfitRecordOf(job, result.unreadable);
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
