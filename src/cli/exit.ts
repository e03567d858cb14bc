import { CommanderError } from "commander";
import { TpoConfigError, TpoSettingsError } from "../errors.js";
import { CliUsageError, EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE } from "./errors.js";

/** The exit code for an error that reached the top: 2 for usage and configuration, 1 for a failed run. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (
    error instanceof CliUsageError ||
    error instanceof TpoSettingsError ||
    error instanceof TpoConfigError
  ) {
    return EXIT_USAGE;
  }
  return EXIT_RUN_FAILED;
}

/** One line on stderr for an error; commander has already printed its own. */
export function reportError(error: unknown): void {
  if (error instanceof CommanderError) return;
  const message = error instanceof Error ? error.message : String(error);
  console.error(`tpo: ${message.split("\n")[0]}`);
}

function tracingOn(env: NodeJS.ProcessEnv): boolean {
  return [env.LANGSMITH_TRACING, env.LANGCHAIN_TRACING_V2, env.LANGCHAIN_TRACING].some((v) => v === "true");
}

/** Sends pending LangSmith traces before the process exits. */
export async function flushTraces(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!tracingOn(env)) return;
  const { awaitAllCallbacks } = await import("@langchain/core/callbacks/promises");
  await awaitAllCallbacks();
}
