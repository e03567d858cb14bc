import { existsSync, readFileSync } from "node:fs";
import { CliUsageError } from "./errors.js";

/** A file's text, or standard input's for "-"; a missing file is a usage error naming the flag. */
export function readTextInput(path: string, what: string): string {
  if (path === "-") return readFileSync(0, "utf8");
  if (!existsSync(path)) throw new CliUsageError(`${what}: file not found: ${path}`);
  return readFileSync(path, "utf8");
}
