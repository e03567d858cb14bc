import { CliRunError, CliUsageError } from "../errors.js";
import { createTpoGraph } from "../../graph/builder.js";
import { describeModels, modelSettings, numberFlag, settingsInput } from "../flags.js";
import { runJob } from "../batch/run-job.js";
import {
  checkCheckpointFile,
  openCheckpointer,
  threadIdOf,
  type BatchCheckpointer,
} from "../batch/checkpoint.js";
import { readBatchInput } from "../../eval/batch/input.js";
import { parseModes, settingsPerMode } from "../batch/modes.js";
import { recordUnreadable, reportFailedRecord, summarizeResults } from "../batch/finish.js";
import { BatchProgress } from "../batch/progress-bar.js";
import { planJobs } from "../../eval/batch/plan.js";
import type { BatchRecord } from "../../eval/batch/record.js";
import { BATCH_RECORDS, previousResults, ResultsWriter } from "../../eval/batch/results-file.js";
import { itemsOfShard, parseShard } from "../batch/shard.js";
import { lockResults } from "../batch/lock.js";
import { checkOutPath } from "../batch/out-file.js";
import { settingsDifferences } from "../../eval/batch/settings-check.js";
import { escapeControl } from "../../util/escape.js";
import { warnOnStderr } from "../warn.js";
import { loadModels } from "../../from-env/models-from-env.js";
import { reachesSimulatedServer } from "../../from-env/simulated-servers.js";
import { mapWithConcurrency } from "../../util/map-with-concurrency.js";
import {
  datasetNameOf,
  datasetOfInput,
  readLangSmithInput,
  experimentRecordsOf,
  ExperimentUpload,
  langSmithTarget,
  queriesOfItems,
} from "../langsmith.js";

export interface BatchOptions extends Record<string, unknown> {
  out: string;
  resume?: boolean;
  overwrite?: boolean;
  allowMixed?: boolean;
  retryFailed?: boolean;
  concurrency: string;
  shard?: string;
  modes?: string;
  checkpoint?: string;
  format: string;
  limit?: string;
  quiet?: boolean;
  /** The job queue's PostgreSQL URL (`true`: TPO_QUEUE_URL's): workers run the queries (./batch-queue.ts). */
  queue?: string | true;
  maxAttempts?: string;
  retryDelay?: string;
  dataset?: string;
  detach?: boolean;
  /** Whether --concurrency was given, rather than its default (--queue refuses it). */
  concurrencyGiven?: boolean;
  keepCheckpoints?: boolean;
  langsmithExperiment?: string;
  langsmithDataset?: string;
  langsmithInputKey?: string;
}

/** What planning a resume reads of an earlier record: its query and mode, settings, models, and whether it failed. */
function planView(record: BatchRecord): BatchRecord {
  const { id, mode, settings, models, error, elapsedMs, finishedAt } = record;
  return { id, mode, query: null, settings, models, error, elapsedMs, finishedAt };
}

let forgetFailed = false;

/**
 * Deletes a query's checkpoints once its record is written: the record holds the run's result,
 * and checkpoints take many times its size. A failure to delete them costs space, not results:
 * said once.
 */
async function forgetCheckpoints(checkpointer: BatchCheckpointer, threadId: string): Promise<void> {
  try {
    await checkpointer.saver.deleteThread(threadId);
  } catch (error) {
    if (forgetFailed) return;
    forgetFailed = true;
    console.error(
      `tpo batch: could not delete the checkpoints of finished queries in ${checkpointer.where} ` +
        `(${(error as Error).message ?? String(error)}); they stay there.`,
    );
  }
}

/** `tpo batch`'s work; ../declare/batch.ts declares the command and loads this on demand. */
export async function batchAction(input: string, options: BatchOptions): Promise<void> {
  if (options.queue !== undefined) {
    const { batchOnQueue } = await import("./batch-queue.js");
    return batchOnQueue(input, options);
  }
  for (const [flag, given] of [
    ["--max-attempts", options.maxAttempts],
    ["--retry-delay", options.retryDelay],
    ["--dataset", options.dataset],
    ["--detach", options.detach],
  ] as const) {
    if (given !== undefined)
      throw new CliUsageError(`${flag} goes with --queue (it is about the job queue's jobs).`);
  }
  const base = settingsInput(options);
  const modes = options.modes ? parseModes(options.modes) : [base.mode ?? "tpo"];
  const contexts = settingsPerMode(base, modes, options.modes !== undefined);
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  if (options.format !== "jsonl" && options.format !== "official") {
    throw new CliUsageError(`--format must be "jsonl" or "official", got "${options.format}".`);
  }
  if (options.retryFailed && !options.resume) throw new CliUsageError("--retry-failed needs --resume.");
  if (options.overwrite && options.resume)
    throw new CliUsageError("--resume and --overwrite exclude each other.");
  const shard = options.shard ? parseShard(options.shard) : null;
  const inputDataset = datasetOfInput(input);
  const langsmith = langSmithTarget(
    options,
    inputDataset ?? (input === "-" ? undefined : datasetNameOf(input)),
  );
  if (options.langsmithInputKey !== undefined && inputDataset === undefined)
    throw new CliUsageError(
      "--langsmith-input-key goes with a LangSmith dataset as input (langsmith:<dataset>).",
    );
  checkOutPath(options.out, input, options.checkpoint);
  if (options.checkpoint) checkCheckpointFile(options.checkpoint);
  let items =
    inputDataset === undefined
      ? readBatchInput(input)
      : await readLangSmithInput(inputDataset, options.langsmithInputKey);
  if (shard) items = itemsOfShard(items, shard);
  if (options.limit) items = items.slice(0, numberFlag("--limit", options.limit, { integer: true, min: 1 }));
  if (items.length === 0) {
    console.error(
      escapeControl(
        `tpo batch: ${shard ? `shard ${options.shard} of ` : ""}${input} holds no queries: nothing to run.`,
      ),
    );
    return;
  }

  const settings = modelSettings(options);
  const release = lockResults(options.out, "tpo batch"); // before reading --out: one writer at a time
  const existing = previousResults(
    options.out,
    options,
    "tpo batch",
    { ...BATCH_RECORDS, view: planView },
    warnOnStderr("tpo batch"),
  );
  const differences = options.resume
    ? settingsDifferences(existing.values(), contexts, describeModels(settings))
    : [];
  if (differences.length > 0 && !options.allowMixed) {
    throw new CliUsageError(
      `--out ${options.out} holds records made with other settings than this run's (${differences.join("; ")}). ` +
        "Resume with the records' settings, or pass --allow-mixed to add records of these settings (the summary keeps them apart).",
    );
  }
  // Before the writer and the checkpointer: a missing langsmith package fails with nothing open.
  const experiments = langsmith
    ? await ExperimentUpload.start("tpo batch", langsmith, queriesOfItems(items), modes)
    : undefined;
  const models = loadModels(settings);
  settings.simulatedServer = await reachesSimulatedServer(settings);
  const writer = new ResultsWriter(options.out, { truncate: options.overwrite });
  // Opened last: a PostgreSQL pool would keep the process alive if a step after it threw.
  const checkpointer = options.checkpoint ? await openCheckpointer(options.checkpoint) : undefined;
  const graph = createTpoGraph({ ...models, checkpointer: checkpointer?.saver });

  const { jobs, unreadable } = planJobs(items, contexts, existing, options.retryFailed ?? false);
  if (jobs.length === 0 && unreadable.length === 0) {
    console.error(`tpo batch: every query of ${input} has a record in ${options.out}: nothing to run.`);
  }
  let failed = unreadable.length;
  recordUnreadable(writer, unreadable, input);

  const progress = new BatchProgress(jobs.length, { tty: process.stderr.isTTY === true });
  if (!options.quiet) progress.start();
  // Once a record cannot be written, no worker starts a query and those in flight are stopped:
  // their records could not be kept, and a real API would bill them.
  let writeError: unknown;
  try {
    // A failed query is a record, not a throw: only a failure to write one stops the batch.
    await mapWithConcurrency(jobs, concurrency, async (job, _index, signal) => {
      const record = await runJob(job, graph, settings, {
        threadId: checkpointer ? threadIdOf(job.item.id, job.mode) : undefined,
        resume: options.resume ?? false,
        signal,
        trace: await experiments?.traceOf(job.item.id, job.mode),
      });
      if (signal.aborted) return; // the batch is stopping: this record could not be kept
      try {
        writer.append(record);
      } catch (error) {
        writeError = error;
        throw error;
      }
      if (checkpointer && !record.error && !options.keepCheckpoints) {
        await forgetCheckpoints(checkpointer, threadIdOf(record.id, record.mode!));
      }
      if (record.error) {
        failed++;
        if (!options.quiet) reportFailedRecord(record);
      }
      progress.complete(record.mode, record.best?.score ?? null);
    });
  } catch (error) {
    if (writeError === undefined) throw error;
  } finally {
    if (!options.quiet) progress.stop();
    writer.close();
    await checkpointer?.close();
    release();
  }
  if (writeError !== undefined) {
    throw new CliRunError(
      `writing ${options.out} failed (${(writeError as Error).message ?? String(writeError)}), so the queries in flight ` +
        "were stopped and no more were started. Make room (or fix the file), then run again with --resume: " +
        "the records written so far are kept.",
      { cause: writeError },
    );
  }

  summarizeResults(options.out, modes, options.format);
  await experiments?.finish(experimentRecordsOf(options.out), options.out);
  if (failed > 0) {
    throw new CliRunError(
      `${failed} of ${jobs.length + unreadable.length} queries failed; their records in ${options.out} carry the error ` +
        `(run again with --resume --retry-failed to retry them).`,
    );
  }
}
