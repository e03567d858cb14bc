import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliUsageError } from "../errors.js";
import type { ResultsRead } from "./results-file.js";

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Checks `--out` before anything runs: a regular file (or a new one in a folder that exists),
 * neither the input nor the checkpoint file. A usage error names `--out` and what is wrong.
 */
export function checkOutPath(out: string, input: string, checkpoint?: string): void {
  if (!out.trim()) throw new CliUsageError("--out must name a file.");
  if (existsSync(out)) {
    const stat = statSync(out);
    if (stat.isDirectory()) throw new CliUsageError(`--out ${out} is a directory; name a file in it.`);
    if (!stat.isFile()) {
      throw new CliUsageError(`--out ${out} is not a regular file (a device or a pipe); name a file.`);
    }
  } else {
    const folder = dirname(resolve(out));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new CliUsageError(`--out ${out}: the folder ${folder} does not exist; create it first.`);
    }
  }
  const target = realPath(out);
  if (input !== "-" && target === realPath(input)) {
    throw new CliUsageError(`--out ${out} is the input file; the results need a file of their own.`);
  }
  if (checkpoint && !/^postgres(ql)?:\/\//.test(checkpoint) && target === realPath(checkpoint)) {
    throw new CliUsageError(`--out ${out} is the --checkpoint file; the results need a file of their own.`);
  }
}

/**
 * Refuses an `--out` that holds something other than records (an input file, notes): resuming would
 * append to it, and overwriting would destroy it.
 */
export function checkResultsFile(out: string, read: ResultsRead<unknown>, command = "tpo batch"): void {
  if (read.records.length > 0) return;
  const firstBad = read.badLines[0];
  // A record cut short by a crash during the first write is still the start of a results file.
  if (firstBad === undefined && (read.torn === null || read.torn.startsWith('{"id":'))) return;
  throw new CliUsageError(
    `--out ${out} is not a results file of ${command} (${
      firstBad !== undefined ? `line ${firstBad} is not a record` : "it holds one line that is not a record"
    }); name a new file, or move this one away.`,
  );
}
