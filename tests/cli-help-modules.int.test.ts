import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, ROOT, tempDir } from "./helpers/cli.js";

const HOOK = join(ROOT, "tests", "helpers", "module-log.mjs");
const MAIN = join(ROOT, "src", "cli", "main.ts");

/** The ES modules that `tpo <args>` loads, as paths (from the checkout, or a package name/path). */
function modulesLoadedBy(args: string[]): string[] {
  const log = join(tempDir(), "modules.txt");
  const result = spawnSync(process.execPath, ["--import", "tsx", "--import", HOOK, MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, TPO_MODULE_LOG: log, LANGSMITH_TRACING: "false" },
    encoding: "utf8",
    timeout: 50_000,
  });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout).toContain("Usage: tpo");
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url.startsWith("file:"))
    .map((url) => url.replace(/^.*\/node_modules\//, "").replace(`file://${ROOT}/`, ""));
}

const HEAVY = /^(@langchain\/|langsmith\/|zod\/|openai\/|uuid\/|better-sqlite3\/|pg\/)/;

const LIGHT =
  /^src\/(cli\/(main|program|io|flag-tables|exit-on-error|errors|paths)\.ts|util\/(escape|redact)\.ts|cli\/declare\/[\w-]+\.ts|errors\.ts|settings\/(presets|caps)\.ts|from-env\/model-settings-table\.ts)$/;

describe("tpo --help", () => {
  afterAll(removeTempDirs);

  it.each([
    "--help",
    "run --help",
    "batch --help",
    "serve --help",
    "sim-server --help",
    "demo --help",
    "report --help",
    "compare --help",
    "export --help",
    "mcp --help",
    "worker --help",
    "queue --help",
    "queue status --help",
  ])("`tpo %s` loads commander and the command declarations, no LangChain, LangGraph or zod", (args) => {
    const modules = modulesLoadedBy(args.split(" "));
    expect(modules.filter((m) => HEAVY.test(m))).toEqual([]);
    // The declarations, the flag tables, the exit handling and their small helpers: nothing else.
    expect(modules.filter((m) => m.startsWith("src/") && !LIGHT.test(m))).toEqual([]);
    expect(modules).toContain("src/cli/main.ts");
    // One declaration per command (13 with `tpo cache`), the flag tables and their helpers, and
    // program.ts and io.ts (the program out of main.ts, which tests run in-process).
    expect(modules.length).toBeLessThanOrEqual(28);
  });
});
