import { renameSync, writeFileSync } from "node:fs";

/** Writes a file whole, through a temporary file beside it, so that a crash never leaves half of one. */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
