import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's root folder, from src/cli or dist/cli alike. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The reference sample prompts, in the shared folder beside the project's checkout. */
export function defaultSamplePromptsPath(): string {
  return join(PACKAGE_ROOT, "..", "shared", "data", "tpo-sample-prompts.json");
}

export function requireFile(path: string, flag: string): string {
  if (!existsSync(path)) throw new Error(`File not found: ${path} (give another one with ${flag}).`);
  return path;
}
