import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CliRunError } from "./errors.js";

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes a file whole, through a temporary file beside it, so that a crash never leaves half of
 * one. The temporary file has a name of its own, created exclusively (never through a symlink
 * planted at a name it could guess), and is removed when the write fails.
 */
export function writeAtomically(path: string, text: string): void {
  const temporary = join(
    dirname(resolve(path)),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  let fd: number;
  try {
    fd = openSync(temporary, "wx");
  } catch (error) {
    throw new CliRunError(`writing ${path} failed: ${reasonOf(error)}`, { cause: error });
  }
  let open = true;
  try {
    const bytes = Buffer.from(text);
    for (let written = 0; written < bytes.length;) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
    open = false;
    closeSync(fd);
    renameSync(temporary, path);
  } catch (error) {
    if (open) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // Gone already.
    }
    throw new CliRunError(`writing ${path} failed: ${reasonOf(error)}`, { cause: error });
  }
}

/** Writes a file in place (a device such as /dev/stdout works); a failure is one clear error naming the file. */
export function writeWhole(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new CliRunError(`writing ${path} failed: ${reasonOf(error)}`, { cause: error });
  }
}
