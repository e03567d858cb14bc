import type { ModelSettings } from "../from-env/models-from-env.js";
import { CliRunError, CliUsageError } from "./errors.js";
import { describeRunFailure } from "../batch/run-failure.js";

/**
 * A failure of one run, as the CLI reports it: bad input or settings are usage errors (exit 2);
 * anything else names the step that failed and the endpoint it was talking to (exit 1).
 */
export function describeFailure(error: unknown, step: string | null, settings: ModelSettings): Error {
  if (error instanceof CliUsageError || error instanceof CliRunError) return error;
  const { kind, message } = describeRunFailure(error, step, settings);
  return kind === "usage" ? new CliUsageError(message) : new CliRunError(message, { cause: error });
}
