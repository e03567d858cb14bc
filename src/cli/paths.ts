import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliUsageError } from "./errors.js";

/** The package's root folder, from src/cli or dist/cli alike. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The version of package.json, which ships with the package. */
export function packageVersion(): string {
  const text = readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8");
  return (JSON.parse(text) as { version?: string }).version ?? "0.0.0";
}

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
