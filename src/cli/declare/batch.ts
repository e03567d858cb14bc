import type { Command } from "commander";
import type { BatchOptions } from "../commands/batch.js";
import { addModelFlags, addSettingFlags, CACHE_FLAG } from "../flag-tables.js";
import type { CliIo } from "../io.js";

/** `tpo batch`: declared here (light, for `--help`); ../commands/batch.ts does the work. */
export function declareBatch(program: Command, io: CliIo): void {
  const command = program
    .command("batch")
    .description("Run TPO over a data set, one JSONL record per query and mode, crash-safe and resumable")
    .argument(
      "<input>",
      'JSON array of prompt strings, or JSONL of { "id"?, "prompt" } / { "id"?, "messages" }; "-" for standard input; langsmith:<dataset> for a LangSmith dataset\'s examples',
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
      "--keep-checkpoints",
      "with --checkpoint, keep a query's checkpoints once its record is written (they are deleted by default)",
    )
    .option(...CACHE_FLAG)
    .option(
      "--format <format>",
      '"jsonl", or "official" to also write the reference implementation\'s JSON beside --out',
      "jsonl",
    )
    .option("--limit <n>", "run only the first n queries of the input")
    .option(
      "--batch-max-cost <usd>",
      "start no query once what the batch spent, plus an estimate of the queries in flight, would pass this many US dollars (needs prices; with --queue, the workers' prices)",
    )
    .option("--quiet", "no progress on standard error")
    .option(
      "--queue [postgres://url]",
      "run the queries on `tpo worker`s through a job queue in this PostgreSQL database (without a URL: $TPO_QUEUE_URL): enqueue them, wait, write the records (docs/scale-out.md)",
    )
    .option("--max-attempts <n>", "with --queue: runs of a job before it ends failed (default 3)")
    .option(
      "--retry-delay <seconds>",
      "with --queue: pause before a failed job's first retry, doubling with each (default 10)",
    )
    .option(
      "--dataset <name>",
      "with --queue: the data set's name in the job keys (default: the input file's name)",
    )
    .option("--detach", "with --queue: enqueue the jobs and exit without waiting")
    .option(
      "--langsmith-experiment <name>",
      "upload the results to LangSmith as experiments <name>-<mode> on a dataset of the queries, with feedback scores (docs/langsmith.md)",
    )
    .option(
      "--langsmith-dataset <name>",
      "with --langsmith-experiment: the LangSmith dataset of the queries (default: the input file's name)",
    )
    .option(
      "--langsmith-input-key <key>",
      'with langsmith:<dataset>: the examples\' input that holds the query or messages (default: the first of "question", "query", "input", "messages")',
    );
  addSettingFlags(command);
  addModelFlags(command);
  command.action(async (input: string, options: BatchOptions, self: Command) => {
    const { batchAction } = await import("../commands/batch.js");
    await batchAction(
      input,
      {
        ...options,
        concurrencyGiven: self.getOptionValueSource("concurrency") === "cli",
      },
      io,
    );
  });
}
