import { escapeControl } from "../util/escape.js";

/** A library's warnings on standard error, each after the command's name, control characters escaped. */
export function warnOnStderr(command: string): (message: string) => void {
  return (message) => console.error(escapeControl(`${command}: ${message}`));
}
