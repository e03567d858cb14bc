import { existsSync, statSync } from "node:fs";
import { CliUsageError } from "./errors.js";
import { readBoundedText } from "../util/read-lines.js";

/**
 * A file's text, or standard input's for "-", read up to the line limit (TPO_MAX_LINE_MB); a
 * missing file or a folder is a usage error naming the flag.
 */
export function readTextInput(path: string, what: string): string {
  if (path !== "-" && !existsSync(path)) throw new CliUsageError(`${what}: file not found: ${path}`);
  if (path !== "-" && statSync(path).isDirectory())
    throw new CliUsageError(`${what}: ${path} is a directory.`);
  return readBoundedText(path, { name: path === "-" ? "standard input" : `${what} ${path}` });
}
