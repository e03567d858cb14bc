#!/usr/bin/env node
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
import { exitCodeOf, flushTraces, reportError } from "./exit-on-error.js";
import { packageVersion } from "./paths.js";

const program = new Command("tpo")
  .description("Test-Time Preference Optimization on LangGraph.js")
  .version(packageVersion(), "-V, --version", "print the version")
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`tpo: ${text.replace(/^error: /, "")}`) });

declareDemo(program);
declareRun(program);
declareBatch(program);
declareReport(program);
declareCompare(program);
declareExport(program);
declareSimServer(program);
declareServe(program);
declareMcp(program);
declareWorker(program);
declareQueue(program);
declareEval(program);
declareCache(program);
// More commands register here: declared in ./declare (commander and the flag tables only, so that
// `--help` loads no LangChain, LangGraph or zod), their work in ./commands, loaded by the action.

try {
  await program.parseAsync();
} catch (error) {
  reportError(error);
  process.exitCode = exitCodeOf(error);
} finally {
  // LangSmith's client would retry an unreachable endpoint for minutes: exit once the bounded flush gives up.
  if (!(await flushTraces())) process.exit();
}
