import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { realPath } from "../../util/real-path.js";
import { CliUsageError } from "../errors.js";

/**
 * Checks an output file before anything runs: a regular file, or a new one in a folder that
 * exists. A usage error names the flag and what is wrong.
 */
export function checkOutTarget(out: string, flag = "--out"): void {
  if (!out.trim()) throw new CliUsageError(`${flag} must name a file.`);
  if (existsSync(out)) {
    const stat = statSync(out);
    if (stat.isDirectory()) throw new CliUsageError(`${flag} ${out} is a directory; name a file in it.`);
    if (!stat.isFile()) {
      throw new CliUsageError(`${flag} ${out} is not a regular file (a device or a pipe); name a file.`);
    }
  } else {
    const folder = dirname(resolve(out));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new CliUsageError(`${flag} ${out}: the folder ${folder} does not exist; create it first.`);
    }
  }
}

/** Refuses an output file that is one of the command's inputs (the same file, symlinks resolved): writing it would destroy it. */
export function refuseInputAsOut(
  out: string,
  inputs: { path: string; what: string }[],
  flag = "--out",
): void {
  const target = realPath(out);
  for (const input of inputs) {
    if (input.path === "-" || realPath(input.path) !== target) continue;
    throw new CliUsageError(
      `${flag} ${out} is ${input.what} (${input.path}): writing it would destroy it; name another file.`,
    );
  }
}

/**
 * Checks `--out` of `tpo batch` before anything runs: a regular file (or a new one in a folder that
 * exists), neither the input nor the checkpoint file. A usage error names `--out` and what is wrong.
 */
export function checkOutPath(out: string, input: string, checkpoint?: string): void {
  checkOutTarget(out);
  const target = realPath(out);
  if (input !== "-" && target === realPath(input)) {
    throw new CliUsageError(`--out ${out} is the input file; the results need a file of their own.`);
  }
  if (checkpoint && !/^postgres(ql)?:\/\//i.test(checkpoint) && target === realPath(checkpoint)) {
    throw new CliUsageError(`--out ${out} is the --checkpoint file; the results need a file of their own.`);
  }
}
