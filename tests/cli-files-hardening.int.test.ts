import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import Database from "better-sqlite3";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import {
  killChildren,
  removeTempDirs,
  ROOT,
  runCliInProcess,
  tempDir,
  type CliResult,
} from "./helpers/cli.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { sampleBatch } from "./helpers/sample-batch.js";

let results: string;
let records: BatchRecord[];

beforeAll(async () => {
  ({ results, records } = await sampleBatch(3));
});

afterEach(() => killChildren());
afterAll(() => removeTempDirs());

/** `tpo <args>` with standard input read from a file (a device, say), bounded in time. */
function runWithStdinFrom(path: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src", "cli", "main.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, TPO_BACKEND: "sim" },
      stdio: [openSync(path, "r"), "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const lines = (list: unknown[]) => list.map((value) => `${JSON.stringify(value)}\n`).join("");

describe("files that never end", () => {
  it("tpo report and tpo batch stop at a line longer than the limit, naming the line", async () => {
    const out = join(tempDir(), "r.html");
    const [report, batch] = await Promise.all([
      runCliInProcess(["report", "/dev/zero", "--out", out], { timeoutMs: 50_000 }),
      runWithStdinFrom("/dev/zero", ["batch", "-", "--out", join(tempDir(), "b.jsonl")]),
    ]);
    expect(report.signal).toBeNull();
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/\/dev\/zero line 1 is longer than 64 MiB/);
    expect(report.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(batch.signal).toBeNull();
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/standard input line 1 is longer than 64 MiB/);
  });

  it("tpo compare refuses a device as --out, and tpo report says so when writing fails", async () => {
    const [compare, report] = await Promise.all([
      runCliInProcess(["compare", results, "--a", "tpo", "--b", "first", "--out", "/dev/full"]),
      runCliInProcess(["report", results, "--out", "/dev/full"]),
    ]);
    expect(compare.code).toBe(2);
    expect(compare.stderr).toMatch(/--out \/dev\/full is not a regular file/);
    expect(report.code).toBe(1);
    expect(report.stderr).toMatch(/tpo: writing \/dev\/full failed: ENOSPC/);
  });
});

describe("an --out that is an input", () => {
  it("is refused by export, report and compare, also through a symlink, and the input stays", async () => {
    const work = tempDir();
    const link = join(work, "link.jsonl");
    symlinkSync(results, link);
    const before = readFileSync(results, "utf8");
    const judged = join(work, "judged.jsonl");
    const made = await runCliInProcess([
      "compare",
      results,
      "--a",
      "tpo",
      "--b",
      "first",
      "--out",
      judged,
      "--quiet",
    ]);
    expect(made.code, made.stderr).toBe(0);
    const judgments = readFileSync(judged, "utf8");
    const cases: [string[], RegExp][] = [
      [["export", results, "--format", "alpaca-eval", "--out", results], /--out .* is <results>/],
      [["export", results, "--format", "alpaca-eval", "--out", link, "--overwrite"], /--out .* is <results>/],
      [["report", results, "--out", link], /--out .* is <results>/],
      [["report", results, "--compare", judged, "--out", judged], /--out .* is --compare/],
      [
        ["compare", results, "--a", "tpo", "--b", "first", "--out", link, "--overwrite"],
        /--out .* is <results>/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCliInProcess(args)));
    for (const [i, result] of runs.entries()) {
      expect(result.code, cases[i][0].join(" ")).toBe(2);
      expect(result.stderr).toMatch(cases[i][1]);
    }
    expect(readFileSync(results, "utf8")).toBe(before);
    expect(readFileSync(judged, "utf8")).toBe(judgments);
  });
});

describe("records that tpo batch did not write", () => {
  it("are named by file, line and field, and left out, instead of a JavaScript error", async () => {
    const work = tempDir();
    const good = records[0];
    const crafted = join(work, "crafted.jsonl");
    const deep = `{"id":"deep","mode":"tpo","query":"q","elapsedMs":1,"finishedAt":"x","history":${"[".repeat(100_000)}${"]".repeat(100_000)}}\n`;
    writeFileSync(
      crafted,
      lines([
        good,
        { ...good, id: "number", best: { ...good.best, text: 123 } },
        { ...good, id: "history", history: {} },
      ]) + deep,
    );
    const out = join(work, "out.json");
    const [exported, report] = await Promise.all([
      runCliInProcess(["export", crafted, "--format", "alpaca-eval", "--out", out]),
      runCliInProcess(["report", crafted, "--out", join(work, "r.html")]),
    ]);
    for (const result of [exported, report]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/crafted\.jsonl line 2: best\.text: .*string.*; left out/);
      expect(result.stderr).toMatch(/crafted\.jsonl line 3: history: .*array.*; left out/);
      expect(result.stderr).toMatch(/crafted\.jsonl line 4: history\.0: .*; left out/);
      expect(result.stderr).not.toMatch(/is not a function|must be of type|call stack/);
    }
    const entries = JSON.parse(readFileSync(out, "utf8")) as { output: unknown }[];
    expect(entries).toHaveLength(1);
    expect(entries[0].output).toBe(good.best!.text);
  });
});

describe("tpo export's output file", () => {
  it("is never replaced without --overwrite, goes through a fresh temporary file, and leaves nothing behind", async () => {
    const work = tempDir();
    const out = join(work, "outputs.json");
    writeFileSync(out, "mine\n");
    const victim = join(work, "victim.txt");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, `${out}.tmp`);
    const folder = join(work, "folder");
    mkdirSync(folder);
    const args = (to: string, ...more: string[]) => [
      "export",
      results,
      "--format",
      "alpaca-eval",
      "--out",
      to,
      ...more,
    ];
    const [refused, toFolder] = await Promise.all([
      runCliInProcess(args(out)),
      runCliInProcess(args(folder)),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out .*outputs\.json exists: pass --overwrite to replace it/);
    expect(readFileSync(out, "utf8")).toBe("mine\n");
    expect(toFolder.code).toBe(2);
    expect(toFolder.stderr).toMatch(/--out .*folder is a directory/);

    const replaced = await runCliInProcess(args(out, "--overwrite"));
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveLength(records.length);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(readdirSync(work).sort()).toEqual(["folder", "outputs.json", "outputs.json.tmp", "victim.txt"]);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe("tpo batch's lock and checkpoint", () => {
  it("locks the real file: a batch writing through a symlink is refused while another holds it", async () => {
    const work = tempDir();
    const out = join(work, "out.jsonl");
    const link = join(work, "link.jsonl");
    symlinkSync(out, link);
    // A live holder (this process) of the file's lock.
    writeFileSync(
      `${out}.lock`,
      `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" })}\n`,
    );
    const prompts = join(work, "prompts.json");
    writeFileSync(prompts, JSON.stringify(samplePrompts().slice(0, 1)));
    const result = await runCliInProcess(["batch", prompts, "--out", link, "--quiet"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`is being written by another tpo .*PID ${process.pid}`));
    expect(existsSync(out)).toBe(false);
  });

  it("deletes a query's checkpoints once its record is written, unless --keep-checkpoints", async () => {
    const work = tempDir();
    const prompts = join(work, "prompts.json");
    writeFileSync(prompts, JSON.stringify(samplePrompts().slice(0, 3)));
    const threads = (path: string) => {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare("SELECT DISTINCT thread_id FROM checkpoints").all() as { thread_id: string }[])
          .length;
      } finally {
        db.close();
      }
    };
    const run = (name: string, ...more: string[]) =>
      runCliInProcess([
        "batch",
        prompts,
        "--out",
        join(work, `${name}.jsonl`),
        "--checkpoint",
        join(work, `${name}.sqlite`),
        "--width",
        "2",
        "--depth",
        "1",
        "--quiet",
        ...more,
      ]);
    const [pruned, kept] = await Promise.all([run("pruned"), run("kept", "--keep-checkpoints")]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(kept.code, kept.stderr).toBe(0);
    expect(readRecords(join(work, "pruned.jsonl"))).toHaveLength(3);
    expect(threads(join(work, "pruned.sqlite"))).toBe(0);
    expect(threads(join(work, "kept.sqlite"))).toBe(3);
  });

  it("refuses a --checkpoint file that is not SQLite with one usage error, before any query", async () => {
    const work = tempDir();
    const notes = join(work, "notes.txt");
    writeFileSync(notes, "my notes, not a database\n");
    const prompts = join(work, "prompts.json");
    writeFileSync(prompts, JSON.stringify(samplePrompts().slice(0, 3)));
    const out = join(work, "out.jsonl");
    const result = await runCliInProcess(["batch", prompts, "--out", out, "--checkpoint", notes, "--quiet"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/--checkpoint .*notes\.txt is not a SQLite file/);
    expect(readFileSync(notes, "utf8")).toBe("my notes, not a database\n");
    expect(existsSync(out) ? statSync(out).size : 0).toBe(0);
  });
});
