import type { Command } from "commander";
import type { CliIo } from "../io.js";

export const QUEUE_URL_HELP =
  "the queue's database: postgres://user@host:5432/database (default: $TPO_QUEUE_URL; the password may come from PGPASSWORD or ~/.pgpass)";

/** `tpo queue status|results|retry`: declared here (light, for `--help`); ../commands/queue.ts does the work. */
export function declareQueue(program: Command, io: CliIo): void {
  const queue = program
    .command("queue")
    .description("Look into the job queue of `tpo batch --queue`: status, results, retry of failed jobs");
  queue
    .command("status")
    .description("Jobs queued, running, done and failed; the workers and their last heartbeat; rate and ETA")
    .argument("[url]", QUEUE_URL_HELP)
    .option("--json", "one JSON object on standard output, for scripts")
    .action(async (url: string | undefined, flags: { json?: boolean }) => {
      const { queueStatusAction } = await import("../commands/queue.js");
      await queueStatusAction(url, flags, io);
    });
  queue
    .command("results")
    .description("Write every finished record (done or failed) to a JSONL file, as tpo batch writes them")
    .argument("[url]", QUEUE_URL_HELP)
    .requiredOption("--out <file>", "results file (JSONL)")
    .option("--dataset <name>", "only the records of this data set")
    .option("--overwrite", "replace --out when it exists")
    .action(
      async (url: string | undefined, flags: { out: string; dataset?: string; overwrite?: boolean }) => {
        const { queueResultsAction } = await import("../commands/queue.js");
        await queueResultsAction(url, flags, io);
      },
    );
  queue
    .command("retry")
    .description("Put the jobs that failed for good back in the queue, with all their attempts again")
    .argument("[url]", QUEUE_URL_HELP)
    .option("--dataset <name>", "only the failed jobs of this data set")
    .action(async (url: string | undefined, flags: { dataset?: string }) => {
      const { queueRetryAction } = await import("../commands/queue.js");
      await queueRetryAction(url, flags, io);
    });
}
