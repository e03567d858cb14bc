/**
 * The examples run as their headers say (`npx tsx examples/<name>.ts`), importing the package by
 * its name: tsconfig's `paths` maps `langgraph-tpo` to the sources for tsx, without a build.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

const EXAMPLES = readdirSync(join(ROOT, "examples")).filter((name) => name.endsWith(".ts"));

function runExample(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("examples", name)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 110_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the examples", () => {
  it("import only the public entry, by the package's name", () => {
    const deep = EXAMPLES.filter((name) =>
      /from "\.\.?\//.test(readFileSync(join(ROOT, "examples", name), "utf8")),
    );
    expect(deep).toEqual([]);
  });

  it.each(EXAMPLES)(
    "%s runs to its end and says its figures are simulated",
    async (name) => {
      const { code, stdout, stderr } = await runExample(name);
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/simulated/);
    },
    120_000,
  );
});
