#!/usr/bin/env node
import { Command } from "commander";
import { registerDemo } from "./commands/demo.js";
import { registerSimServer } from "./commands/sim-server.js";
import { registerServe } from "./commands/serve.js";

const program = new Command("tpo")
  .description("Test-Time Preference Optimization on LangGraph.js")
  .showHelpAfterError();

registerDemo(program);
registerSimServer(program);
registerServe(program);
// More commands register here, one file each in ./commands.

try {
  await program.parseAsync();
} catch (error) {
  console.error(`tpo: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
