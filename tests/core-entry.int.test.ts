import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, ROOT, tempDir } from "./helpers/cli.js";

const HOOK = join(ROOT, "tests", "helpers", "module-log.mjs");

/** The modules a fresh process loads to import `entry` and build a graph with a model of its own. */
function modulesLoadedBy(entry: string): string[] {
  const log = join(tempDir(), "modules.txt");
  const script =
    `const m = await import(${JSON.stringify(join(ROOT, entry))});` +
    "if (typeof m.createTpoGraph !== 'function') throw new Error('no createTpoGraph');";
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", HOOK, "--input-type=module", "-e", script],
    { cwd: ROOT, env: { ...process.env, TPO_MODULE_LOG: log }, encoding: "utf8", timeout: 50_000 },
  );
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url.startsWith("file:"))
    .map((url) => url.replace(/^.*\/node_modules\//, "").replace(`file://${ROOT}/`, ""));
}

describe("the package's entries", () => {
  afterAll(removeTempDirs);

  it("langgraph-tpo/core loads neither @langchain/openai nor the simulator, the environment or the server", () => {
    const loaded = modulesLoadedBy("src/core.ts");
    expect(loaded.filter((m) => /^(@langchain\/openai\/|openai\/)/.test(m))).toEqual([]);
    expect(loaded.filter((m) => /^src\/(sim|config|server|studio|cli)\//.test(m))).toEqual([]);
    expect(loaded).toContain("src/graph/builder.ts");
  });

  it("langgraph-tpo (the main entry) loads them: the check above can see them", () => {
    const loaded = modulesLoadedBy("src/index.ts");
    expect(loaded.some((m) => m.startsWith("@langchain/openai/"))).toBe(true);
    expect(loaded.some((m) => m.startsWith("src/sim/"))).toBe(true);
  });
});
