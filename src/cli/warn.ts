import { escapeControl } from "../util/escape.js";
import { writeLine, type OutStream } from "./io.js";

/** A library's warnings on the command's standard error, each after the command's name, control characters escaped. */
export function warnOnStderr(command: string, stderr: OutStream): (message: string) => void {
  return (message) => writeLine(stderr, escapeControl(`${command}: ${message}`));
}
