import { CommanderError } from "commander";
import { TpoConfigError, TpoFileError, TpoSettingsError } from "../errors.js";
import { redactUrls } from "../util/redact.js";
import { CliUsageError, EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE } from "./errors.js";
import { escapeControl } from "../util/escape.js";
import { writeLine, type CliIo, type OutStream } from "./io.js";

/** The exit code for an error that reached the top: 2 for usage and configuration, 1 for a failed run. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (
    error instanceof CliUsageError ||
    error instanceof TpoFileError ||
    error instanceof TpoSettingsError ||
    error instanceof TpoConfigError
  ) {
    return EXIT_USAGE;
  }
  return EXIT_RUN_FAILED;
}

/**
 * One line on stderr for an error; commander has already printed its own. Credentials in URLs and
 * control characters (which may come from input) are never printed as they are.
 */
export function reportError(error: unknown, stderr: OutStream): void {
  if (error instanceof CommanderError) return;
  const message = error instanceof Error ? error.message : String(error);
  writeLine(stderr, `tpo: ${escapeControl(redactUrls(message.split("\n")[0]))}`);
}

/** Whether LangChain traces to LangSmith (LANGSMITH_TRACING, or its older names). */
export function tracingOn(env: NodeJS.ProcessEnv): boolean {
  return [env.LANGSMITH_TRACING, env.LANGCHAIN_TRACING_V2, env.LANGCHAIN_TRACING].some((v) => v === "true");
}

/**
 * Sends pending LangSmith traces before the process exits, for a few seconds at most; when they
 * cannot be sent, says so in one line and returns false: the caller should exit then, since
 * LangSmith's retries would hold the process for minutes.
 */
export async function flushTraces(io: CliIo): Promise<boolean> {
  if (!tracingOn(io.env)) return true;
  const { flushTracesWithin } = await import("../langsmith/trace-flush.js");
  const outcome = await flushTracesWithin(io.env);
  if (outcome.sent) return true;
  writeLine(
    io.stderr,
    redactUrls(`tpo: LangSmith traces not sent to ${outcome.endpoint} (${outcome.reason}); dropped them.`),
  );
  return false;
}
