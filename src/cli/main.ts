#!/usr/bin/env node
import { Command } from "commander";
import { registerDemo } from "./commands/demo.js";
import { registerBatch } from "./commands/batch.js";
import { registerCompare } from "./commands/compare.js";
import { registerExport } from "./commands/export.js";
import { registerReport } from "./commands/report.js";
import { registerRun } from "./commands/run.js";
import { registerServe } from "./commands/serve.js";
import { registerSimServer } from "./commands/sim-server.js";
import { exitCodeOf, flushTraces, reportError } from "./exit.js";

const program = new Command("tpo")
  .description("Test-Time Preference Optimization on LangGraph.js")
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`tpo: ${text.replace(/^error: /, "")}`) });

registerDemo(program);
registerRun(program);
registerBatch(program);
registerReport(program);
registerCompare(program);
registerExport(program);
registerSimServer(program);
registerServe(program);
// More commands register here, one file each in ./commands.

try {
  await program.parseAsync();
} catch (error) {
  reportError(error);
  process.exitCode = exitCodeOf(error);
} finally {
  await flushTraces();
}
