import { Command } from "commander";
import { declareDemo } from "./declare/demo.js";
import { declareBatch } from "./declare/batch.js";
import { declareCompare } from "./declare/compare.js";
import { declareExport } from "./declare/export.js";
import { declareReport } from "./declare/report.js";
import { declareRun } from "./declare/run.js";
import { declareServe } from "./declare/serve.js";
import { declareMcp } from "./declare/mcp.js";
import { declareSimServer } from "./declare/sim-server.js";
import { declareWorker } from "./declare/worker.js";
import { declareQueue } from "./declare/queue.js";
import { declareEval } from "./declare/eval.js";
import { declareCache } from "./declare/cache.js";
import { exitCodeOf, reportError } from "./exit-on-error.js";
import type { CliIo } from "./io.js";
import { packageVersion } from "./paths.js";

/** The `tpo` program, printing on `io` (commander's help, version and usage errors included). */
export function tpoProgram(io: CliIo): Command {
  const program = new Command("tpo")
    .description("Test-Time Preference Optimization on LangGraph.js")
    .version(packageVersion(), "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`tpo: ${text.replace(/^error: /, "")}`),
    });

  declareDemo(program, io);
  declareRun(program, io);
  declareBatch(program, io);
  declareReport(program, io);
  declareCompare(program, io);
  declareExport(program, io);
  declareSimServer(program, io);
  declareServe(program, io);
  declareMcp(program, io);
  declareWorker(program, io);
  declareQueue(program, io);
  declareEval(program, io);
  declareCache(program, io);
  // More commands register here: declared in ./declare (commander and the flag tables only, so that
  // `--help` loads no LangChain, LangGraph or zod), their work in ./commands, loaded by the action,
  // which hands it `io` (docs/development.md, "Adding a command").
  return program;
}

/**
 * Runs `tpo <args>` on `io` and returns its exit code: 0, 1 for a failed run, 2 for bad usage. An
 * error is reported here, in one line on io.stderr; nothing is thrown. main.ts runs it for the
 * process, tests/helpers/cli.ts in-process.
 */
export async function runTpoCli(args: string[], io: CliIo): Promise<number> {
  try {
    await tpoProgram(io).parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    reportError(error, io.stderr);
    return exitCodeOf(error);
  }
}
