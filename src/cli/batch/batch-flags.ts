import { basename, extname } from "node:path";
import type { TpoContext, TpoMode } from "../../settings/run-settings.js";
import type { RetryPolicy } from "../../queue/job.js";
import { CliUsageError } from "../errors.js";
import { MODEL_FLAGS, optionKey } from "../flag-tables.js";
import { numberFlag, settingsInput } from "../flags.js";
import { escapeControl } from "../../util/escape.js";
import { writeLine, type CliIo } from "../io.js";
import { checkCheckpointFile } from "../../run/checkpoint.js";
import { readBatchInput, type BatchItem } from "../../eval/batch/input.js";
import { parseModes, settingsPerMode } from "./modes.js";
import { checkOutPath } from "./out-file.js";
import { langSmithTarget, readLangSmithInput } from "../langsmith.js";
import type { LangSmithTarget } from "../../langsmith/experiment-upload.js";
import { datasetNameOf, datasetOfInput } from "../../langsmith/records.js";
import { itemsOfShard, type Shard } from "../../eval/batch/shard.js";

/** `tpo batch`'s flags as commander gives them (../declare/batch.ts declares them). */
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
  /** The job queue's PostgreSQL URL (`true`: TPO_QUEUE_URL's): workers run the queries. */
  queue?: string | true;
  maxAttempts?: string;
  retryDelay?: string;
  dataset?: string;
  detach?: boolean;
  /** Whether --concurrency was given, rather than its default (--queue refuses it). */
  concurrencyGiven?: boolean;
  keepCheckpoints?: boolean;
  /** A SQLite file or postgres:// URL of the persistent cache (../cache-option.ts). */
  cache?: string;
  /** US dollars the whole batch may spend (needs prices): no query starts that would pass it. */
  batchMaxCost?: string;
  langsmithExperiment?: string;
  langsmithDataset?: string;
  langsmithInputKey?: string;
}

/** What both runners of `tpo batch` read: the data set, --out and the settings of each mode. */
interface SharedFlags {
  input: string;
  out: string;
  modes: TpoMode[];
  contexts: Map<TpoMode, TpoContext>;
  /** Whether --modes was given (the summary and the settings check read it). */
  modesGiven: boolean;
  format: "jsonl" | "official";
  limit: number | undefined;
  overwrite: boolean;
  allowMixed: boolean;
  retryFailed: boolean;
  quiet: boolean;
  /** Where the results go in LangSmith (--langsmith-experiment), if anywhere. */
  langsmith: LangSmithTarget | undefined;
  /** The LangSmith dataset the queries come from, for an input `langsmith:<dataset>`. */
  inputDataset: string | undefined;
  langsmithInputKey: string | undefined;
  /** --batch-max-cost: US dollars the batch may spend (with --queue, metered by the waiting batch). */
  batchMaxCost: number | undefined;
}

/** A batch run by this process (../commands/batch.ts). */
export interface PlainBatch extends SharedFlags {
  on: "here";
  resume: boolean;
  concurrency: number;
  shard: Shard | null;
  checkpoint: string | undefined;
  keepCheckpoints: boolean;
  cache: string | undefined;
}

/** A batch run by `tpo worker`s through the job queue (../commands/batch-queue.ts). */
export interface QueueBatch extends SharedFlags {
  on: "queue";
  /** The URL given, or `true` for TPO_QUEUE_URL's. */
  queue: string | true;
  policy: RetryPolicy;
  /** The data set's name in the job keys: --dataset, else the input file's name. */
  dataset: string;
  detach: boolean;
}

export type BatchFlags = PlainBatch | QueueBatch;

/** A flag that one runner uses and the other would ignore: given to the other, it is refused with the reason. */
interface OneRunnerFlag {
  flag: string;
  given(options: BatchOptions): boolean;
  why: string;
}

const given =
  (key: keyof BatchOptions) =>
  (options: BatchOptions): boolean =>
    options[key] !== undefined && options[key] !== false;

/** Flags of the plain batch: with --queue, "X does not go with --queue: why". */
const PLAIN_ONLY: OneRunnerFlag[] = [
  {
    flag: "--shard",
    given: given("shard"),
    why: "the queue spreads the queries over the workers; start more workers instead.",
  },
  {
    flag: "--resume",
    given: given("resume"),
    why: "with --queue, --out is always continued (the same command again writes what is missing, nothing twice).",
  },
  {
    flag: "--checkpoint",
    given: given("checkpoint"),
    why: "the workers keep their checkpoints in the queue's database.",
  },
  {
    flag: "--keep-checkpoints",
    given: given("keepCheckpoints"),
    why: "the workers keep a job's checkpoints in the queue's database until its record is kept, then delete them.",
  },
  {
    flag: "--cache",
    given: given("cache"),
    why: "the workers send the requests, so each takes it: tpo worker --cache <file|postgres://url>.",
  },
  {
    flag: "--concurrency",
    given: (options) => options.concurrencyGiven === true,
    why: "each worker runs its own (tpo worker --concurrency).",
  },
  ...MODEL_FLAGS.map(({ flag }) => ({
    flag,
    given: given(optionKey(flag)),
    why: "each worker uses the models of its own environment and flags (give it to tpo worker).",
  })),
];

/** Flags of the queue: without --queue, "X goes with --queue (why)". */
const QUEUE_ONLY: OneRunnerFlag[] = [
  { flag: "--max-attempts", given: given("maxAttempts"), why: "it is about the job queue's jobs" },
  { flag: "--retry-delay", given: given("retryDelay"), why: "it is about the job queue's jobs" },
  { flag: "--dataset", given: given("dataset"), why: "it is about the job queue's jobs" },
  { flag: "--detach", given: given("detach"), why: "it is about the job queue's jobs" },
];

function refuseFlagsOfTheOtherRunner(input: string, options: BatchOptions): void {
  if (options.queue !== undefined) {
    if (datasetOfInput(input) !== undefined) {
      throw new CliUsageError(
        `${input} does not go with --queue: the queue's jobs are read from a file; write the dataset's queries to a JSONL file first.`,
      );
    }
    if (options.detach && options.batchMaxCost !== undefined) {
      throw new CliUsageError(
        "--batch-max-cost with --detach does not go with --queue: the waiting batch meters the budget (it enqueues a query only while the budget allows); leave out --detach.",
      );
    }
    const flag = PLAIN_ONLY.find((f) => f.given(options));
    if (flag) throw new CliUsageError(`${flag.flag} does not go with --queue: ${flag.why}`);
  } else {
    const flag = QUEUE_ONLY.find((f) => f.given(options));
    if (flag) throw new CliUsageError(`${flag.flag} goes with --queue (${flag.why}).`);
  }
}

function sharedFlags(input: string, options: BatchOptions): SharedFlags {
  const base = settingsInput(options);
  const modes = options.modes ? parseModes(options.modes) : [base.mode ?? "tpo"];
  const contexts = settingsPerMode(base, modes, options.modes !== undefined);
  if (options.format !== "jsonl" && options.format !== "official") {
    throw new CliUsageError(`--format must be "jsonl" or "official", got "${options.format}".`);
  }
  const inputDataset = datasetOfInput(input);
  const langsmith = langSmithTarget(
    options,
    inputDataset ?? (input === "-" ? undefined : datasetNameOf(input)),
  );
  if (options.langsmithInputKey !== undefined && inputDataset === undefined) {
    throw new CliUsageError(
      "--langsmith-input-key goes with a LangSmith dataset as input (langsmith:<dataset>).",
    );
  }
  return {
    input,
    out: options.out,
    modes,
    contexts,
    modesGiven: options.modes !== undefined,
    format: options.format,
    limit: options.limit ? numberFlag("--limit", options.limit, { integer: true, min: 1 }) : undefined,
    overwrite: options.overwrite ?? false,
    allowMixed: options.allowMixed ?? false,
    retryFailed: options.retryFailed ?? false,
    quiet: options.quiet ?? false,
    langsmith,
    inputDataset,
    langsmithInputKey: options.langsmithInputKey,
    batchMaxCost:
      options.batchMaxCost === undefined
        ? undefined
        : numberFlag("--batch-max-cost", options.batchMaxCost, { min: 0 }),
  };
}

function plainFlags(shared: SharedFlags, options: BatchOptions): PlainBatch {
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  if (options.retryFailed && !options.resume) throw new CliUsageError("--retry-failed needs --resume.");
  if (options.overwrite && options.resume)
    throw new CliUsageError("--resume and --overwrite exclude each other.");
  if (options.allowMixed && !options.resume) {
    throw new CliUsageError(
      "--allow-mixed goes with --resume (it lets a resumed --out hold records of other settings).",
    );
  }
  if (options.keepCheckpoints && options.checkpoint === undefined) {
    throw new CliUsageError(
      "--keep-checkpoints goes with --checkpoint (without it, no checkpoint is saved).",
    );
  }
  const shard = options.shard ? parseShard(options.shard) : null;
  checkOutPath(shared.out, shared.input, options.checkpoint);
  if (options.checkpoint) checkCheckpointFile(options.checkpoint);
  return {
    ...shared,
    on: "here",
    resume: options.resume ?? false,
    concurrency,
    shard,
    checkpoint: options.checkpoint,
    keepCheckpoints: options.keepCheckpoints ?? false,
    cache: options.cache,
  };
}

/** "--shard i/n", with i from 0 to n-1. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index >= count) {
    throw new CliUsageError(`--shard must be i/n with 0 <= i < n (e.g. 0/4 … 3/4), got "${text}".`);
  }
  return { index, count };
}

/** The data set's name in job keys: `--dataset`, else the input file's name without its extension. */
export function datasetName(input: string, flag: string | undefined): string {
  if (flag !== undefined) {
    const name = flag.trim();
    if (!name) throw new CliUsageError("--dataset must name the data set, e.g. --dataset arena-hard.");
    return name;
  }
  if (input === "-") return "stdin";
  return basename(input, extname(input)) || "dataset";
}

function queueFlags(shared: SharedFlags, options: BatchOptions): QueueBatch {
  const policy = {
    maxAttempts: numberFlag("--max-attempts", options.maxAttempts ?? "3", { integer: true, min: 1 }),
    retryDelaySeconds: numberFlag("--retry-delay", options.retryDelay ?? "10", { integer: true, min: 1 }),
  };
  checkOutPath(shared.out, shared.input);
  return {
    ...shared,
    on: "queue",
    queue: options.queue!,
    policy,
    dataset: datasetName(shared.input, options.dataset),
    detach: options.detach ?? false,
  };
}

/**
 * `tpo batch`'s flags, read and checked once for both runners: a flag of one runner given to the
 * other is refused (exit 2) rather than ignored, the shared ones are checked alike, and each
 * runner gets typed values.
 */
export function readBatchFlags(input: string, options: BatchOptions): BatchFlags {
  refuseFlagsOfTheOtherRunner(input, options);
  const shared = sharedFlags(input, options);
  return options.queue === undefined ? plainFlags(shared, options) : queueFlags(shared, options);
}

/**
 * The queries to run: the input, the shard's part of it, the first --limit. None: said on
 * standard error (`nothing to run`), and the batch ends there.
 */
export async function itemsOfBatch(flags: BatchFlags, io: CliIo): Promise<BatchItem[]> {
  let items =
    flags.inputDataset === undefined
      ? readBatchInput(flags.input)
      : await readLangSmithInput(flags.inputDataset, flags.langsmithInputKey, io.env);
  const shard = flags.on === "here" ? flags.shard : null;
  if (shard) items = itemsOfShard(items, shard);
  if (flags.limit !== undefined) items = items.slice(0, flags.limit);
  if (items.length === 0) {
    const part = shard ? `shard ${shard.index}/${shard.count} of ` : "";
    const nothing = flags.on === "queue" ? "nothing to enqueue" : "nothing to run";
    writeLine(io.stderr, escapeControl(`tpo batch: ${part}${flags.input} holds no queries: ${nothing}.`));
  }
  return items;
}
