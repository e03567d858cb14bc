import { queryTextOf } from "../query-input.js";
import { CliRunError, CliUsageError } from "../errors.js";
import { executeQuery, StepFailedError } from "../execute.js";
import { createTpoGraph, type TpoGraph } from "../../graph/builder.js";
import { describeFailure } from "../failure.js";
import { describeModels, modelSettings, numberFlag, settingsInput } from "../flags.js";
import { readTextInput } from "../read-input.js";
import { openCheckpointer, threadIdOf } from "../batch/checkpoint.js";
import { parseBatchInput, type BatchItem } from "../batch/input.js";
import { parseModes, settingsPerMode } from "../batch/modes.js";
import { officialPath, writeOfficial } from "../batch/reference-format.js";
import { BatchProgress } from "../batch/progress-bar.js";
import { planJobs, type Job } from "../batch/plan.js";
import { stopOf, type BatchRecord } from "../batch/record.js";
import {
  latestRecords,
  looksLikeBatchRecord,
  previousResults,
  readResults,
  ResultsWriter,
} from "../batch/results-file.js";
import { itemsOfShard, parseShard } from "../batch/shard.js";
import { formatSummary, summarize } from "../batch/summary.js";
import { lockResults } from "../batch/lock.js";
import { checkOutPath } from "../batch/out-file.js";
import { settingsDifferences } from "../batch/settings-check.js";
import { escapeControl } from "../escape.js";
import { loadModels, type ModelSettings } from "../../from-env/models-from-env.js";
import { turnsOf } from "../../messages/conversation.js";
import { mapWithConcurrency } from "../../util/map-with-concurrency.js";

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
}

function queryOf(item: BatchItem): string | null {
  return item.input ? queryTextOf(item.input) : null;
}

async function runJob(
  job: Job,
  graph: TpoGraph,
  settings: ModelSettings,
  options: { checkpointed: boolean; resume: boolean; signal: AbortSignal },
): Promise<BatchRecord> {
  const { item, mode, context } = job;
  const started = performance.now();
  const base = {
    id: item.id,
    mode,
    query: queryOf(item),
    ...(item.input && "messages" in item.input ? { messages: turnsOf(item.input.messages) } : {}),
    settings: context,
    models: describeModels(settings),
  };
  try {
    const { state, resumedFrom } = await executeQuery(graph, item.input!, {
      context,
      threadId: options.checkpointed ? threadIdOf(item.id, mode) : undefined,
      resume: options.resume,
      signal: options.signal,
    });
    return {
      ...base,
      best: state.best!,
      history: state.history,
      pool: state.pool,
      usage: state.usage,
      ...stopOf(state),
      elapsedMs: performance.now() - started,
      ...(resumedFrom ? { resumedFrom } : {}),
      finishedAt: new Date().toISOString(),
    };
  } catch (error) {
    const failure = describeFailure(error, null, settings);
    const step = error instanceof StepFailedError ? error.step : null;
    return {
      ...base,
      elapsedMs: performance.now() - started,
      error: { message: failure.message, ...(step ? { step } : {}), source: item.source },
      finishedAt: new Date().toISOString(),
    };
  }
}

/** `tpo batch`'s work; ../declare/batch.ts declares the command and loads this on demand. */
export async function batchAction(input: string, options: BatchOptions): Promise<void> {
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
  checkOutPath(options.out, input, options.checkpoint);
  let items = parseBatchInput(readTextInput(input, "<input>"), input);
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
  const release = lockResults(options.out); // before reading --out: one writer at a time
  const existing = latestRecords(previousResults(options.out, options, "tpo batch", looksLikeBatchRecord));
  const differences = options.resume
    ? settingsDifferences(existing.values(), contexts, describeModels(settings))
    : [];
  if (differences.length > 0 && !options.allowMixed) {
    throw new CliUsageError(
      `--out ${options.out} holds records made with other settings than this run's (${differences.join("; ")}). ` +
        "Resume with the records' settings, or pass --allow-mixed to add records of these settings (the summary keeps them apart).",
    );
  }
  const models = loadModels(settings);
  const writer = new ResultsWriter(options.out, { truncate: options.overwrite });
  // Opened last: a PostgreSQL pool would keep the process alive if a step after it threw.
  const checkpointer = options.checkpoint ? await openCheckpointer(options.checkpoint) : undefined;
  const graph = createTpoGraph({ ...models, checkpointer: checkpointer?.saver });

  const { jobs, unreadable } = planJobs(items, contexts, existing, options.retryFailed ?? false);
  if (jobs.length === 0 && unreadable.length === 0) {
    console.error(`tpo batch: every query of ${input} has a record in ${options.out}: nothing to run.`);
  }
  let failed = unreadable.length;
  for (const item of unreadable) {
    console.error(escapeControl(`tpo batch: ${input} ${item.source}: ${item.error}; recorded as an error.`));
    writer.append({
      id: item.id,
      mode: null,
      query: null,
      elapsedMs: 0,
      error: { message: item.error!, source: item.source },
      finishedAt: new Date().toISOString(),
    });
  }

  const progress = new BatchProgress(jobs.length, { tty: process.stderr.isTTY === true });
  if (!options.quiet) progress.start();
  // Once a record cannot be written, no worker starts a query and those in flight are stopped:
  // their records could not be kept, and a real API would bill them.
  let writeError: unknown;
  try {
    // A failed query is a record, not a throw: only a failure to write one stops the batch.
    await mapWithConcurrency(jobs, concurrency, async (job, _index, signal) => {
      const record = await runJob(job, graph, settings, {
        checkpointed: checkpointer !== undefined,
        resume: options.resume ?? false,
        signal,
      });
      if (signal.aborted) return; // the batch is stopping: this record could not be kept
      try {
        writer.append(record);
      } catch (error) {
        writeError = error;
        throw error;
      }
      if (record.error) {
        failed++;
        if (!options.quiet)
          console.error(
            `${process.stderr.isTTY ? "\r\x1b[2K" : ""}${escapeControl(`tpo batch: ${record.id} (${record.mode}): ${record.error.message}`)}`,
          );
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

  const records = [...latestRecords(readResults(options.out, looksLikeBatchRecord).records).values()];
  console.log(formatSummary(summarize(records)));
  if (options.format === "official") {
    for (const mode of modes) {
      const path = officialPath(options.out, mode);
      writeOfficial(
        path,
        records.filter((r) => r.mode === mode),
      );
      console.log(`Wrote ${path}`);
    }
  }
  if (failed > 0) {
    throw new CliRunError(
      `${failed} of ${jobs.length + unreadable.length} queries failed; their records in ${options.out} carry the error ` +
        `(run again with --resume --retry-failed to retry them).`,
    );
  }
}
