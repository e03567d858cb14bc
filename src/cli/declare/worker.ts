import { Option, type Command } from "commander";
import type { WorkerFlags } from "../commands/worker.js";
import { addModelFlags, CACHE_FLAG, capFlags } from "../flag-tables.js";
import { JUDGE_SETTINGS } from "../../from-env/model-settings-table.js";
import { QUEUE_URL_HELP } from "./queue.js";
import type { CliIo } from "../io.js";

/** `tpo worker`: declared here (light, for `--help`); ../commands/worker.ts does the work. */
export function declareWorker(program: Command, io: CliIo): void {
  const command = program
    .command("worker")
    .description(
      "Take jobs of `tpo batch --queue` and `tpo eval … --queue` from a PostgreSQL job queue and run them with this machine's models, until SIGTERM or Ctrl-C",
    )
    .argument("[url]", QUEUE_URL_HELP)
    .option("--concurrency <n>", "jobs run at once", "4")
    .option(
      "--grace <seconds>",
      "on SIGTERM/SIGINT, how long jobs in flight may finish before they go back to the queue (a second signal: at once)",
      "25",
    )
    .option(
      "--lease <seconds>",
      "a job whose worker sends no heartbeat for this long goes back to the queue (heartbeats every third of it)",
      "30",
    )
    .option("--quiet", "no line per finished job on standard error")
    .option(...CACHE_FLAG);
  for (const [flag, help, fallback] of capFlags("a job", "maxTokens (and criticMaxTokens)")) {
    command.option(flag, `${help}; a job above it fails at once, without retries`, fallback);
  }
  addModelFlags(command);
  // The judge of `tpo eval … --queue`'s jobs; the judge's token limit comes with each job.
  for (const { flag, arg, env, help, key } of JUDGE_SETTINGS) {
    if (key !== "maxTokens")
      command.addOption(new Option(`${flag} <${arg}>`, `${help}, for judge jobs [env ${env}]`));
  }
  command.action(async (url: string | undefined, flags: WorkerFlags) => {
    const { workerAction } = await import("../commands/worker.js");
    await workerAction(url, flags, io);
  });
}
