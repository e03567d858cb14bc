import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliUsageError } from "./errors.js";

/** The package's root folder, from src/cli or dist/cli alike. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The reference implementation's 100 sample prompts, shipped inside the package (`data/` is in
 * `files`): found relative to this module, so a clone and an installed package alike have them.
 */
export function defaultSamplePromptsPath(): string {
  return join(PACKAGE_ROOT, "data", "tpo-sample-prompts.json");
}

/** The path, if a file is there; else a usage error (exit 2) that names the flag to give another. */
export function requireFile(path: string, flag: string): string {
  if (!existsSync(path)) throw new CliUsageError(`File not found: ${path} (give another one with ${flag}).`);
  return path;
}
