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
import { stopOf, type BatchRecord } from "../batch/record.js";
import { latestRecords, readResults, ResultsWriter, setAsideTornLine } from "../batch/results-file.js";
import { inShard, parseShard } from "../batch/shard.js";
import { formatSummary, summarize } from "../batch/summary.js";
import type { ModelSettings } from "../../config/models-from-env.js";

interface BatchOptions extends Record<string, unknown> {
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
  options: { checkpointed: boolean; resume: boolean },
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
    let items = parseBatchInput(readTextInput(input, "<input>"), input);
    if (shard) items = items.filter((item) => inShard(item.id, shard));
    if (options.limit) items = items.slice(0, positiveInteger("--limit", options.limit));

    const existing = prepareResults(options);
    const settings = modelSettings(options);
    const models = loadCliModels(settings);
    const writer = new ResultsWriter(options.out, { truncate: options.overwrite });
    // Opened last: a PostgreSQL pool would keep the process alive if a step after it threw.
    const checkpointer = options.checkpoint ? await openCheckpointer(options.checkpoint) : undefined;
    const graph = buildGraph(models, checkpointer?.saver);

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
      await runPool(jobs, concurrency, async (job) => {
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
        `${failed} of ${jobs.length + failed} queries failed; their records in ${options.out} carry the error ` +
          `(run again with --resume --retry-failed to retry them).`,
      );
    }
  });
}
