import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../src/cli/io.js";
import { runTpoCli } from "../src/cli/program.js";
import { packageVersion } from "../src/cli/paths.js";
import { ROOT } from "./helpers/cli.js";

/**
 * A command prints on the io it is given and reads that io's environment (src/cli/io.ts), so that
 * tests run the program in-process, many times in one process. The process's own streams and
 * environment are reached in two places: main.ts hands them over (processIo) and nowhere else.
 */
const PROCESS_IO = /\bconsole\.\w+|\bprocess\.(stdout|stderr|env|exitCode)\b/;

/** Reached on purpose, each with the reason. */
const ALLOWED: Record<string, string> = {
  "src/cli/io.ts": "processIo: the process's streams and environment, handed over by main.ts",
  // `tpo mcp` on stdio: standard output is the protocol's, so every console line of any library
  // goes to standard error for the whole process (mcp stays a process of its own).
  "src/cli/commands/mcp.ts": "console.log routed to standard error",
  // TPO_MAX_LINE_MB is read where lines are read, deep below the commands; a test that sets it spawns.
  "src/cli/read-lines.ts": "maxLineBytes's default environment",
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

function io(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env,
    out: () => out,
    err: () => err,
  };
}

describe("src/cli reaches the process only through its io", () => {
  it("no command file uses console, process.stdout, process.stderr, process.env or process.exitCode", () => {
    const offending: string[] = [];
    for (const path of sources(join(ROOT, "src", "cli"))) {
      const file = relative(ROOT, path);
      if (file === "src/cli/main.ts" || ALLOWED[file]) continue;
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (!line.trim().startsWith("*") && PROCESS_IO.test(line))
            offending.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(
      offending,
      "print with writeLine(io.stdout | io.stderr, …) and read io.env (docs/development.md, Adding a command)",
    ).toEqual([]);
  });
});

describe("runTpoCli, the program that main.ts runs", () => {
  it("prints on the io it is given and returns the exit code", async () => {
    const version = io();
    expect(await runTpoCli(["--version"], version)).toBe(0);
    expect(version.out()).toBe(`${packageVersion()}\n`);

    const usage = io();
    expect(await runTpoCli(["run", "--no-such-flag"], usage)).toBe(2);
    expect(usage.err()).toMatch(/^tpo: unknown option '--no-such-flag'/);
    expect(usage.out()).toBe("");
  });

  it("reads the environment of its io, not the process's", async () => {
    const unset = io({});
    expect(await runTpoCli(["run", "What is TPO?", "--depth", "1"], unset)).toBe(2);
    expect(unset.err()).toMatch(/TPO_BACKEND=sim/);

    const sim = io({ TPO_BACKEND: "sim" });
    expect(await runTpoCli(["run", "What is TPO?", "--width", "2", "--depth", "1"], sim)).toBe(0);
    expect(sim.out().trim().length).toBeGreaterThan(0);
    expect(sim.err()).toBe("");
  });
});
