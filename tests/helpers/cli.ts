import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { OutStream } from "../../src/cli/io.js";
import { runTpoCli } from "../../src/cli/program.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAIN = join(ROOT, "src", "cli", "main.ts");
/** How `tpo` starts: from the sources, or the bundle that TPO_TEST_CLI names (the "bin" project). */
const CLI = process.env.TPO_TEST_CLI ? [resolve(ROOT, process.env.TPO_TEST_CLI)] : ["--import", "tsx", MAIN];

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

/** The environment of a child: no model or tracing settings of the caller's, the simulated world unless told. */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(TPO_|OPENAI_|LANGSMITH_|LANGCHAIN_)/.test(key)) continue;
    clean[key] = value;
  }
  const merged: NodeJS.ProcessEnv = { ...clean, TPO_BACKEND: "sim", ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged;
}

/** The command line of `tpo <args>`: node, then its arguments (the sources through tsx, or the bundle). */
export function cliCommand(args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [...CLI, ...args] };
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Node's own flags, before the CLI's script (an --import of a loader hook, say). */
  nodeArgs?: string[];
}

/** Starts `tpo <args>` from the sources; `done` settles when it exits (killed after `timeoutMs`). */
export function startCli(
  args: string[],
  options: CliOptions = {},
): { child: ChildProcess; done: Promise<CliResult>; output: () => string } {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...CLI, ...args], {
    cwd: ROOT,
    env: childEnv(options.env ?? {}),
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin!.end(options.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 50_000);
  const done = new Promise<CliResult>((resolvePromise) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** What a test may ask of an in-process run: no standard input and no Node flags, which need a process. */
export type InProcessOptions = Omit<CliOptions, "input" | "nodeArgs">;

/** The commands that serve until SIGTERM or Ctrl-C: they stay processes of their own. */
const UNTIL_A_SIGNAL = new Set(["serve", "mcp", "worker", "sim-server"]);

/** A stream that keeps what a command writes, as a pipe would give it (not a terminal). */
function collector(): OutStream & { text: string } {
  return {
    text: "",
    isTTY: false,
    write(text: string) {
      this.text += text;
      return true;
    },
  };
}

/**
 * `tpo <args>` inside this process: the program that the `tpo` process runs (src/cli/program.ts), on
 * streams that collect its output and with the environment a spawned `tpo` would get (childEnv);
 * the same CliResult as runCli, without starting Node and loading the CLI again for each command.
 * What needs a process stays with runCli and startCli: standard input, a signal or a kill, an exit
 * code the process sets itself, a command that serves until a signal, what libraries read from
 * process.env (LangSmith tracing, OPENAI_LOG, PGPASSWORD). Under
 * the bin project (TPO_TEST_CLI) it spawns the bundle, which is what that project tests;
 * `timeoutMs` applies only there (in-process, the test's own timeout bounds a run).
 */
export async function runCliInProcess(args: string[], options: InProcessOptions = {}): Promise<CliResult> {
  if (process.env.TPO_TEST_CLI) return runCli(args, options);
  if (args.includes("-")) throw new Error(`tpo ${args.join(" ")} reads standard input: use runCli.`);
  if (UNTIL_A_SIGNAL.has(args[0])) throw new Error(`tpo ${args[0]} runs until a signal: use startCli.`);
  const env = options.env ?? {};
  // Read from process.env by the libraries themselves (LangChain's tracing, the OpenAI SDK's log,
  // PostgreSQL's driver: PGPASSWORD, PGPASSFILE).
  const theirs = Object.keys(env).filter((key) => /^(LANGSMITH_|LANGCHAIN_|OPENAI_LOG$|PG[A-Z]+$)/.test(key));
  if (theirs.length > 0) throw new Error(`${theirs.join(", ")}: read from process.env; use runCli.`);
  const stdout = collector();
  const stderr = collector();
  const code = await runTpoCli(args, { stdout, stderr, env: childEnv(env) });
  return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
}

/** Kills every child still running; for afterEach. */
export function killChildren(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tpo-cli-"));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Waits until `check` holds, polling; fails after `timeoutMs`. Bounded, asserts nothing about time. */
export async function waitUntil(
  check: () => boolean,
  timeoutMs = 30_000,
  what = "a condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
