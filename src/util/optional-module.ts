/** Loads a module by name; a parameter so that a test can stand in for a missing package. */
export type ImportModule = (name: string) => Promise<unknown>;

export const importModule: ImportModule = (name) => import(name);

/** Whether a failed import failed because the package is not installed (ESM or CommonJS). */
export function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}

/** The first line of a failed import's message. */
export function firstLineOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
