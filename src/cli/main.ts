#!/usr/bin/env node
import { flushTraces } from "./exit-on-error.js";
import { processIo } from "./io.js";
import { runTpoCli } from "./program.js";

// The process's part only: its streams and environment in, its exit code out, traces sent.
const io = processIo();
process.exitCode = await runTpoCli(process.argv.slice(2), io);
// LangSmith's client would retry an unreachable endpoint for minutes: exit once the bounded flush gives up.
if (!(await flushTraces(io))) process.exit();
