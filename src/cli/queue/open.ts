import { TpoQueueError } from "../../errors.js";
import { openQueue, type OpenQueueOptions, type QueueDb } from "../../queue/connection.js";
import { CliRunError, CliUsageError } from "../errors.js";

/**
 * The queue's failures as the CLI's: a setting to fix (pg-boss missing, a malformed URL, a refused
 * login, no such database, no rights) exits with 2; a server that does not answer, or tables it
 * cannot set up, with 1.
 */
export function cliErrorOfQueue(error: unknown): unknown {
  if (!(error instanceof TpoQueueError)) return error;
  return error.reason === "connect" || error.reason === "schema"
    ? new CliRunError(error.message, { cause: error })
    : new CliUsageError(error.message);
}

/** Opens the queue at `url` for a command; failures are the CLI's errors, without the password. */
export async function openQueueForCli(url: string, options: OpenQueueOptions): Promise<QueueDb> {
  try {
    return await openQueue(url, options);
  } catch (error) {
    throw cliErrorOfQueue(error);
  }
}
