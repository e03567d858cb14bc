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
import { officialPath, writeOfficial } from "../batch/official.js";
import { BatchProgress } from "../batch/progress-bar.js";
import { planJobs, type Job } from "../batch/plan.js";
import type { BatchRecord } from "../batch/record.js";
import { latestRecords, readResults, ResultsWriter, setAsideTornLine } from "../batch/results-file.js";
import { inShard, parseShard } from "../batch/shard.js";
import { formatSummary, summarize } from "../batch/summary.js";
import { loadModels, type ModelSettings } from "../../config/models-from-env.js";
import { turnsOf } from "../../state/conversation.js";
import { mapWithConcurrency } from "../../models/concurrency.js";

export interface BatchOptions extends Record<string, unknown> {
  out: string;
  resume?: boolean;
  overwrite?: boolean;
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

/** Reads what a previous run left; refuses to write over results unless asked to. */
function prepareResults(options: BatchOptions): Map<string, BatchRecord> {
  const previous = readResults(options.out);
  if (options.overwrite) return new Map();
  if (!options.resume) {
    if (previous.records.length > 0 || previous.torn !== null) {
      throw new CliUsageError(
        `--out ${options.out} already has ${previous.records.length} records: pass --resume to continue it, or --overwrite to start again.`,
      );
    }
    return new Map();
  }
  if (previous.torn !== null) {
    const aside = setAsideTornLine(options.out, previous.torn);
    console.error(
      `tpo batch: the last line of ${options.out} was cut short by a crash; moved it to ${aside}.`,
    );
  }
  for (const line of previous.badLines)
    console.error(`tpo batch: ${options.out} line ${line} is not a record; ignored.`);
  return latestRecords(previous.records);
}

async function runJob(
  job: Job,
  graph: TpoGraph,
  settings: ModelSettings,
  options: { checkpointed: boolean; resume: boolean },
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
    });
    return {
      ...base,
      best: state.best!,
      history: state.history,
      pool: state.pool,
      usage: state.usage,
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
  let items = parseBatchInput(readTextInput(input, "<input>"), input);
  if (shard) items = items.filter((item) => inShard(item.id, shard));
  if (options.limit) items = items.slice(0, numberFlag("--limit", options.limit, { integer: true, min: 1 }));

  const existing = prepareResults(options);
  const settings = modelSettings(options);
  const models = loadModels(settings);
  const writer = new ResultsWriter(options.out, { truncate: options.overwrite });
  // Opened last: a PostgreSQL pool would keep the process alive if a step after it threw.
  const checkpointer = options.checkpoint ? await openCheckpointer(options.checkpoint) : undefined;
  const graph = createTpoGraph({ ...models, checkpointer: checkpointer?.saver });

  const { jobs, unreadable } = planJobs(items, contexts, existing, options.retryFailed ?? false);
  let failed = unreadable.length;
  for (const item of unreadable) {
    console.error(`tpo batch: ${input} ${item.source}: ${item.error}; recorded as an error.`);
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
  try {
    // A failed query is a record, not a throw: only a failure to write one stops the batch, and
    // then no new query starts and those in flight finish before the error is reported.
    await mapWithConcurrency(jobs, concurrency, async (job) => {
      const record = await runJob(job, graph, settings, {
        checkpointed: checkpointer !== undefined,
        resume: options.resume ?? false,
      });
      writer.append(record);
      if (record.error) {
        failed++;
        if (!options.quiet)
          console.error(
            `${process.stderr.isTTY ? "\r\x1b[2K" : ""}tpo batch: ${record.id} (${record.mode}): ${record.error.message}`,
          );
      }
      progress.complete(record.mode, record.best?.score ?? null);
    });
  } finally {
    if (!options.quiet) progress.stop();
    writer.close();
    await checkpointer?.close();
  }

  const records = [...latestRecords(readResults(options.out).records).values()];
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
