import { queryTextOf } from "../query-input.js";
import { Command } from "commander";
import { CliRunError, CliUsageError } from "../errors.js";
import { buildGraph, executeQuery, type CliGraph } from "../execute.js";
import { describeFailure } from "../failure.js";
import {
  addModelFlags,
  addSettingFlags,
  describeModels,
  modelSettings,
  numberFlag,
  settingsInput,
} from "../flags.js";
import { messagesToJson } from "../messages.js";
import { loadCliModels } from "../models.js";
import { readTextInput } from "../read-input.js";
import { openCheckpointer, threadIdOf } from "../batch/checkpoint.js";
import { parseBatchInput, type BatchItem } from "../batch/input.js";
import { parseModes, settingsPerMode } from "../batch/modes.js";
import { officialPath, writeOfficial } from "../batch/official.js";
import { runPool } from "../batch/pool.js";
import { BatchProgress } from "../batch/progress-bar.js";
import { planJobs, type Job } from "../batch/plan.js";
import type { BatchRecord } from "../batch/record.js";
import { latestRecords, readResults, ResultsWriter, setAsideTornLine } from "../batch/results-file.js";
import { inShard, parseShard } from "../batch/shard.js";
import { formatSummary, summarize } from "../batch/summary.js";
import { lockResults } from "../batch/lock.js";
import { checkOutPath, checkResultsFile } from "../batch/out-file.js";
import { settingsDifferences } from "../batch/settings-check.js";
import { escapeControl } from "../escape.js";
import type { ModelSettings } from "../../config/models-from-env.js";

interface BatchOptions extends Record<string, unknown> {
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

function positiveInteger(flag: string, value: string): number {
  const number = numberFlag(flag, value);
  if (!Number.isInteger(number) || number < 1)
    throw new CliUsageError(`${flag} must be a whole number of at least 1, got "${value}".`);
  return number;
}

function queryOf(item: BatchItem): string | null {
  return item.input ? queryTextOf(item.input) : null;
}

/** Reads what a previous run left; refuses to write over results unless asked to. */
function prepareResults(options: BatchOptions): Map<string, BatchRecord> {
  const previous = readResults(options.out);
  checkResultsFile(options.out, previous);
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
  graph: CliGraph,
  settings: ModelSettings,
  options: { checkpointed: boolean; resume: boolean; signal: AbortSignal },
): Promise<BatchRecord> {
  const { item, mode, context } = job;
  const started = performance.now();
  const base = {
    id: item.id,
    mode,
    query: queryOf(item),
    ...(item.input && "messages" in item.input ? { messages: messagesToJson(item.input.messages) } : {}),
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
      elapsedMs: performance.now() - started,
      ...(resumedFrom ? { resumedFrom } : {}),
      finishedAt: new Date().toISOString(),
    };
  } catch (error) {
    const failure = describeFailure(error, null, settings);
    const step = /^the (\w+) step failed/.exec(failure.message)?.[1];
    return {
      ...base,
      elapsedMs: performance.now() - started,
      error: { message: failure.message, ...(step ? { step } : {}), source: item.source },
      finishedAt: new Date().toISOString(),
    };
  }
}

export function registerBatch(program: Command): void {
  const command = program
    .command("batch")
    .description("Run TPO over a data set, one JSONL record per query and mode, crash-safe and resumable")
    .argument(
      "<input>",
      'JSON array of prompt strings, or JSONL of { "id"?, "prompt" } / { "id"?, "messages" }; "-" for standard input',
    )
    .requiredOption("--out <file>", "results file (JSONL): one record appended per finished query")
    .option("--resume", "continue: skip queries that already have a record in --out")
    .option("--retry-failed", "with --resume, run again the queries whose record is an error")
    .option("--overwrite", "start --out afresh, discarding its records")
    .option(
      "--allow-mixed",
      "with --resume, continue --out even when its records were made with other settings (the summary keeps them apart)",
    )
    .option("--concurrency <k>", "queries in flight at once", "4")
    .option("--shard <i/n>", "run only shard i of n (0 <= i < n), chosen by a hash of each query id")
    .option(
      "--modes <list>",
      "comma-separated modes to run each query under, at the same candidate budget (bon gets width N·(D+1))",
    )
    .option(
      "--checkpoint <file|postgres://url>",
      "save every finished step in a SQLite file or a PostgreSQL database, so an interrupted query resumes where it stopped",
    )
    .option(
      "--format <format>",
      '"jsonl", or "official" to also write the reference implementation\'s JSON beside --out',
      "jsonl",
    )
    .option("--limit <n>", "run only the first n queries of the input")
    .option("--quiet", "no progress on standard error");
  addSettingFlags(command);
  addModelFlags(command);
  command.action(async (input: string, options: BatchOptions) => {
    const base = settingsInput(options);
    const modes = options.modes ? parseModes(options.modes) : [base.mode ?? "tpo"];
    const contexts = settingsPerMode(base, modes, options.modes !== undefined);
    const concurrency = positiveInteger("--concurrency", options.concurrency);
    if (options.format !== "jsonl" && options.format !== "official") {
      throw new CliUsageError(`--format must be "jsonl" or "official", got "${options.format}".`);
    }
    if (options.retryFailed && !options.resume) throw new CliUsageError("--retry-failed needs --resume.");
    if (options.overwrite && options.resume)
      throw new CliUsageError("--resume and --overwrite exclude each other.");
    const shard = options.shard ? parseShard(options.shard) : null;
    checkOutPath(options.out, input, options.checkpoint);
    let items = parseBatchInput(readTextInput(input, "<input>"), input);
    if (shard) items = items.filter((item) => inShard(item.id, shard));
    if (options.limit) items = items.slice(0, positiveInteger("--limit", options.limit));
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
    const existing = prepareResults(options);
    const differences = options.resume
      ? settingsDifferences(existing.values(), contexts, describeModels(settings))
      : [];
    if (differences.length > 0 && !options.allowMixed) {
      throw new CliUsageError(
        `--out ${options.out} holds records made with other settings than this run's (${differences.join("; ")}). ` +
          "Resume with the records' settings, or pass --allow-mixed to add records of these settings (the summary keeps them apart).",
      );
    }
    const models = loadCliModels(settings);
    const writer = new ResultsWriter(options.out, { truncate: options.overwrite });
    // Opened last: a PostgreSQL pool would keep the process alive if a step after it threw.
    const checkpointer = options.checkpoint ? await openCheckpointer(options.checkpoint) : undefined;
    const graph = buildGraph(models, checkpointer?.saver);

    const { jobs, unreadable } = planJobs(items, contexts, existing, options.retryFailed ?? false);
    if (jobs.length === 0 && unreadable.length === 0) {
      console.error(`tpo batch: every query of ${input} has a record in ${options.out}: nothing to run.`);
    }
    let failed = unreadable.length;
    for (const item of unreadable) {
      console.error(
        escapeControl(`tpo batch: ${input} ${item.source}: ${item.error}; recorded as an error.`),
      );
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
    // Once a record cannot be written, no worker starts a query, and those in flight stop: their
    // records could not be kept, and a real API would bill them.
    const halt = new AbortController();
    let writeError: unknown;
    try {
      await runPool(jobs, concurrency, async (job) => {
        if (halt.signal.aborted) return;
        const record = await runJob(job, graph, settings, {
          checkpointed: checkpointer !== undefined,
          resume: options.resume ?? false,
          signal: halt.signal,
        });
        if (halt.signal.aborted) return;
        try {
          writer.append(record);
        } catch (error) {
          writeError = error;
          halt.abort(error);
          return;
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
  });
}
