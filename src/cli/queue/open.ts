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

/** The environment variable that names the queue when the command line does not (`ps` shows a command line to every local user). */
export const QUEUE_URL_VARIABLE = "TPO_QUEUE_URL";

/**
 * The queue's URL: the one on the command line, else TPO_QUEUE_URL. `given` is `true` for a
 * `--queue` without a value. The password may also stay out of both: PGPASSWORD or a password
 * file (~/.pgpass, PGPASSFILE) reach the driver.
 */
export function queueUrlOf(given: string | true | undefined, what: string, env: NodeJS.ProcessEnv): string {
  if (typeof given === "string") return given;
  const fromEnv = env[QUEUE_URL_VARIABLE];
  if (fromEnv) return fromEnv;
  throw new CliUsageError(
    `${what} needs the queue's database: give its URL (postgres://user@host:5432/database) or set ${QUEUE_URL_VARIABLE}.`,
  );
}

/**
 * Opens the queue at `url` (or TPO_QUEUE_URL, see `queueUrlOf`) for a command; failures are the
 * CLI's errors, without the password.
 */
export async function openQueueForCli(
  given: string | true | undefined,
  env: NodeJS.ProcessEnv,
  options: OpenQueueOptions,
): Promise<QueueDb> {
  const url = queueUrlOf(given, options.what, env);
  try {
    return await openQueue(url, options);
  } catch (error) {
    throw cliErrorOfQueue(error);
  }
}
