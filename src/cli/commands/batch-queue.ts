import { enqueueJobs } from "../../queue/enqueue.js";
import { CliRunError, CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { MODEL_FLAGS, optionKey } from "../flag-tables.js";
import { numberFlag, settingsInput } from "../flags.js";
import { recordUnreadable, reportFailedRecord, summarizeResults } from "../batch/finish.js";
import { readBatchInput } from "../../eval/batch/input.js";
import { lockResults } from "../batch/lock.js";
import { parseModes, settingsPerMode } from "../batch/modes.js";
import { checkOutPath } from "../batch/out-file.js";
import { planJobs } from "../../eval/batch/plan.js";
import { BatchProgress } from "../batch/progress-bar.js";
import type { BatchRecord } from "../../eval/batch/record.js";
import { BATCH_RECORDS, previousResults, ResultsWriter } from "../../eval/batch/results-file.js";
import { settingsDifferences } from "../../eval/batch/settings-check.js";
import { datasetName, queueJobOf } from "../queue/job-data.js";
import { OutModels } from "../../eval/batch/models-check.js";
import { openQueueForCli } from "../queue/open.js";
import { waitForRecords } from "../queue/wait.js";
import type { BatchOptions } from "./batch.js";
import { warnOnStderr } from "../warn.js";
import {
  datasetNameOf,
  datasetOfInput,
  experimentRecordsOf,
  ExperimentUpload,
  langSmithTarget,
  queriesOfItems,
} from "../langsmith.js";

/** Flags of `tpo batch` that mean nothing, or something else, with --queue: refused, with the reason. */
function refuseWithQueue(input: string, options: BatchOptions): void {
  const refuse = (flag: string, why: string) => {
    throw new CliUsageError(`${flag} does not go with --queue: ${why}`);
  };
  if (datasetOfInput(input) !== undefined)
    refuse(
      input,
      "the queue's jobs are read from a file; write the dataset's queries to a JSONL file first.",
    );
  if (options.detach && options.langsmithExperiment !== undefined)
    refuse(
      "--detach with --langsmith-experiment",
      "the records are uploaded once this command has them; wait for them, or upload later with tpo export --format langsmith.",
    );
  if (options.shard !== undefined)
    refuse("--shard", "the queue spreads the queries over the workers; start more workers instead.");
  if (options.resume)
    refuse(
      "--resume",
      "with --queue, --out is always continued (the same command again writes what is missing, nothing twice).",
    );
  if (options.checkpoint !== undefined)
    refuse("--checkpoint", "the workers keep their checkpoints in the queue's database.");
  if (options.concurrencyGiven)
    refuse("--concurrency", "each worker runs its own (tpo worker --concurrency).");
  for (const { flag } of MODEL_FLAGS) {
    if (options[optionKey(flag)] !== undefined) {
      refuse(flag, "each worker uses the models of its own environment and flags (give it to tpo worker).");
    }
  }
}

/**
 * `tpo batch INPUT --queue URL --out FILE`: enqueues one job per query and mode (idempotently: a
 * job the queue has already is not made again), then waits for the workers and appends each
 * record to --out as its job ends, with the summary of a plain batch at the end. `--detach` only
 * enqueues. The same command again continues --out: it writes what is missing and nothing twice.
 */
export async function batchOnQueue(input: string, options: BatchOptions): Promise<void> {
  refuseWithQueue(input, options);
  const base = settingsInput(options);
  const modes = options.modes ? parseModes(options.modes) : [base.mode ?? "tpo"];
  const contexts = settingsPerMode(base, modes, options.modes !== undefined);
  if (options.format !== "jsonl" && options.format !== "official") {
    throw new CliUsageError(`--format must be "jsonl" or "official", got "${options.format}".`);
  }
  const policy = {
    maxAttempts: numberFlag("--max-attempts", options.maxAttempts ?? "3", { integer: true, min: 1 }),
    retryDelaySeconds: numberFlag("--retry-delay", options.retryDelay ?? "10", { integer: true, min: 1 }),
  };
  const dataset = datasetName(input, options.dataset);
  checkOutPath(options.out, input);
  const langsmith = langSmithTarget(options, input === "-" ? undefined : datasetNameOf(input));
  let items = readBatchInput(input);
  if (options.limit) items = items.slice(0, numberFlag("--limit", options.limit, { integer: true, min: 1 }));
  if (items.length === 0) {
    console.error(escapeControl(`tpo batch: ${input} holds no queries: nothing to enqueue.`));
    return;
  }

  const release = lockResults(options.out); // before reading --out: one writer at a time
  const failed: BatchRecord[] = [];
  const otherModels: { record: BatchRecord; differences: string[] }[] = [];
  let total = 0;
  try {
    const existing = previousResults(
      options.out,
      { resume: true, overwrite: options.overwrite },
      "tpo batch",
      BATCH_RECORDS,
      warnOnStderr("tpo batch"),
    );
    const differences = settingsDifferences(existing.values(), contexts, null);
    if (differences.length > 0 && !options.allowMixed) {
      throw new CliUsageError(
        `--out ${options.out} holds records made with other settings than this run's (${differences.join("; ")}). ` +
          "Run with the records' settings, or pass --allow-mixed to add records of these settings (the summary keeps them apart).",
      );
    }
    const outModels = new OutModels(existing.values(), contexts);
    const { jobs, unreadable } = planJobs(items, contexts, existing, options.retryFailed ?? false);
    total = jobs.length + unreadable.length;
    const queueJobs = jobs.map((job) => queueJobOf(job, dataset));
    const queue = await openQueueForCli(options.queue!, {
      what: "tpo batch --queue",
      onLostConnection: (reason) =>
        console.error(
          escapeControl(
            `tpo batch: a connection to the queue was lost (${reason}); later reads open a new one.`,
          ),
        ),
    });
    const writer = new ResultsWriter(options.out, { truncate: options.overwrite });
    try {
      recordUnreadable(writer, unreadable, input);
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
      const enqueued = await enqueueJobs(queue, queueJobs, policy, { retryFailed: options.retryFailed });
      if (!options.quiet || options.detach)
        console.error(
          escapeControl(
            `tpo batch: ${enqueued.added} new job${enqueued.added === 1 ? "" : "s"} on ${queue.where} (data set "${dataset}")` +
              (enqueued.pending > 0 ? `, ${enqueued.pending} queued or running already` : "") +
              (enqueued.finished > 0 ? `, ${enqueued.finished} finished already` : "") +
              (enqueued.requeued > 0 ? `, ${enqueued.requeued} failed ones put back` : "") +
              (jobs.length === 0 ? `; every query of ${input} has a record in ${options.out}` : "") +
              ".",
          ),
        );
      if (options.detach) {
        console.error(
          "tpo batch: detached. Start `tpo worker <url>` on the machines that run the queries; this same command " +
            "(without --detach) waits for them and writes the records.",
        );
        return;
      }
      let workers: number | null = null;
      const progress = new BatchProgress(queueJobs.length, { tty: process.stderr.isTTY === true }, () =>
        workers === null ? "" : `${workers} worker${workers === 1 ? "" : "s"} active`,
      );
      if (!options.quiet && queueJobs.length > 0) progress.start();
      try {
        await waitForRecords(queue, queueJobs, {
          onResult: ({ record }) => {
            const batchRecord = record as unknown as BatchRecord;
            const differences = outModels.differences(batchRecord);
            if (differences.length > 0 && !options.allowMixed) {
              otherModels.push({ record: batchRecord, differences });
              console.error(
                escapeControl(
                  `tpo batch: not writing the record of ${batchRecord.id} (${batchRecord.mode}) to ${options.out}: ` +
                    `its worker has other models (${differences.join("; ")}).`,
                ),
              );
              progress.complete(batchRecord.mode, null);
              return;
            }
            writer.append(batchRecord);
            if (batchRecord.error) {
              failed.push(batchRecord);
              if (!options.quiet) reportFailedRecord(batchRecord);
            }
            progress.complete(batchRecord.mode, batchRecord.best?.score ?? null);
          },
          onWorkers: (active) => {
            workers = active;
          },
        });
      } finally {
        if (!options.quiet && queueJobs.length > 0) progress.stop();
      }
    } finally {
      writer.close();
      await queue.close();
    }
  } finally {
    release();
  }
  if (options.detach) return;

  summarizeResults(options.out, modes, options.format);
  if (langsmith) {
    // The workers ran the queries: their records are uploaded from --out, without iteration trees.
    const upload = await ExperimentUpload.start("tpo batch", langsmith, queriesOfItems(items), modes);
    await upload.finish(experimentRecordsOf(options.out), options.out);
  }
  if (otherModels.length > 0) {
    const differences = [...new Set(otherModels.flatMap((o) => o.differences))];
    throw new CliUsageError(
      escapeControl(
        `${otherModels.length} of ${total} records came from workers with other models than the records of ${options.out} ` +
          `(${differences.join("; ")}) and were not written. Run every worker with the same models, or run this command ` +
          "again with --allow-mixed to add them (the summary keeps them apart); they stay in the queue, nothing runs again.",
      ),
    );
  }
  if (failed.length > 0) {
    const listed = failed.slice(0, 10).map((r) => `${r.id} (${r.mode ?? "unreadable"})`);
    throw new CliRunError(
      escapeControl(
        `${failed.length} of ${total} queries failed: ${listed.join(", ")}${failed.length > 10 ? ", …" : ""}; their records in ${options.out} ` +
          "carry the error (this command again with --retry-failed puts them back in the queue and waits for them).",
      ),
    );
  }
}
