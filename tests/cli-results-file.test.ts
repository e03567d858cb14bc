import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import {
  latestRecords,
  readLatestRecords,
  readResults,
  ResultsWriter,
  setAsideTornLine,
} from "../src/eval/batch/results-file.js";
import { TpoFileError } from "../src/errors.js";
import { readBoundedText, readLines } from "../src/util/read-lines.js";
import { removeTempDirs, tempDir } from "./helpers/cli.js";

afterEach(removeTempDirs);

function record(id: string, extra: Partial<BatchRecord> = {}): BatchRecord {
  return {
    id,
    mode: "tpo",
    query: `q ${id}`,
    elapsedMs: 1,
    finishedAt: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}

describe("results file", () => {
  it("appends whole lines and reads them back", () => {
    const path = join(tempDir(), "r.jsonl");
    const writer = new ResultsWriter(path);
    writer.append(record("a"));
    writer.append(record("b"));
    writer.close();
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(3);
    expect(readResults(path)).toEqual({
      records: [record("a"), record("b")],
      badLines: [],
      badCount: 0,
      torn: null,
    });
  });

  it("detects a torn last line, never parses it, and sets it aside", () => {
    const path = join(tempDir(), "r.jsonl");
    // A torn line can be valid JSON by chance: without its newline it is still not a record.
    writeFileSync(path, `${JSON.stringify(record("a"))}\nnot a record\n${JSON.stringify(record("b"))}`);
    const read = readResults(path);
    expect(read.records.map((r) => r.id)).toEqual(["a"]);
    expect(read.badLines).toEqual([{ line: 2, reason: expect.stringMatching(/^not JSON/) }]);
    expect(read.torn).toBe(JSON.stringify(record("b")));
    const aside = setAsideTornLine(path, read.torn!);
    expect(aside).toBe(`${path}.torn`);
    expect(readFileSync(aside, "utf8")).toBe(`${JSON.stringify(record("b"))}\n`);
    expect(readResults(path).torn).toBeNull();
  });

  it("reads the latest record of each query and mode, tells what it leaves out, and prints nothing", () => {
    const path = join(tempDir(), "r.jsonl");
    const lines = [record("a", { error: { message: "down" } }), record("b"), record("a")].map((r) =>
      JSON.stringify(r),
    );
    writeFileSync(path, `${lines.join("\n")}\nnot a record\n{"id":"c"`);
    const warnings: string[] = [];
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const records = readLatestRecords(path, { warn: (message) => warnings.push(message) });
      expect(records.map((r) => [r.id, r.error])).toEqual([
        ["a", undefined],
        ["b", undefined],
      ]);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
    expect(warnings).toEqual([
      `ignoring the cut-short last line of ${path}.`,
      expect.stringMatching(/ line 4: not JSON .*; left out\.$/),
    ]);
    const missing = join(tempDir(), "none.jsonl");
    expect(() => readLatestRecords(missing, { what: "<results>" })).toThrow(
      new TpoFileError(`<results>: file not found: ${missing}`),
    );
  });

  it("takes the last record of each query and mode, so a retry replaces an error", () => {
    const latest = latestRecords([record("a", { error: { message: "down" } }), record("b"), record("a")]);
    expect(latest.size).toBe(2);
    expect([...latest.values()].every((r) => !r.error)).toBe(true);
  });
});

describe("reading a file a line at a time", () => {
  it("gives each line with its number, across chunks and multibyte characters, and a torn last line apart", () => {
    const path = join(tempDir(), "r.jsonl");
    const text = ["première ligne", "", "🙂".repeat(7), "last, cut short"].join("\n");
    writeFileSync(path, text);
    const lines = [...readLines(path, { chunkBytes: 5 })];
    expect(lines).toEqual([
      { number: 1, text: "première ligne", complete: true },
      { number: 2, text: "", complete: true },
      { number: 3, text: "🙂".repeat(7), complete: true },
      { number: 4, text: "last, cut short", complete: false },
    ]);
  });

  it("stops at a line longer than the limit, naming it, without reading the rest", () => {
    const path = join(tempDir(), "r.jsonl");
    writeFileSync(path, `short\n${"x".repeat(5000)}\nnever read\n`);
    const read = () => [...readLines(path, { maxBytes: 1000, chunkBytes: 64 })];
    expect(read).toThrow(TpoFileError);
    expect(read).toThrow(/r\.jsonl line 2 is longer than 1000 bytes/);
    expect(() => readBoundedText("/dev/zero", { maxBytes: 2 ** 20 })).toThrow(
      /\/dev\/zero line 1 is longer than 1 MiB/,
    );
  });

  it("bounds a whole-file read in total: many short lines over the limit are refused, up to it read whole", () => {
    const path = join(tempDir(), "many.json");
    const line = "x".repeat(9); // 10 bytes with its newline
    writeFileSync(path, `${line}\n`.repeat(100));
    expect(() => readBoundedText(path, { maxBytes: 999, chunkBytes: 64 })).toThrow(
      /many\.json is longer than 999 bytes, which is read whole/,
    );
    expect(readBoundedText(path, { maxBytes: 1000, chunkBytes: 64 })).toBe(`${line}\n`.repeat(100));
  });
});

describe("records read back", () => {
  it("are checked against the schema that writes them: a bad line names its field", () => {
    const path = join(tempDir(), "r.jsonl");
    const good = record("a", { best: { text: "t", score: 1, iteration: 0 } });
    writeFileSync(
      path,
      [
        good,
        { ...good, id: "b", best: { ...good.best, text: 123 } },
        { ...good, id: "c", mode: "tpo-ultra" },
        { ...good, id: "d", history: [[[]]] },
        { ...good, id: 5 },
      ]
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    );
    const read = readResults(path);
    expect(read.records.map((r) => r.id)).toEqual(["a"]);
    expect(read.badLines).toEqual([
      { line: 2, reason: expect.stringMatching(/^best\.text: expected string, received number/) },
      { line: 3, reason: expect.stringMatching(/^mode: /) },
      { line: 4, reason: expect.stringMatching(/^history\.0: expected object, received array/) },
      { line: 5, reason: expect.stringMatching(/^id: expected string/) },
    ]);
  });

  it("keep the usage per server of a pool, refuse a server key that is not a URL, and drop __proto__", () => {
    const path = join(tempDir(), "r.jsonl");
    const counts = { requests: 3, failures: 1, promptTokens: 40, cachedPromptTokens: 20 };
    const usage = {
      modelRequests: 4,
      promptTokens: 40,
      cachedPromptTokens: 20,
      completionTokens: 9,
      rewardRequests: 1,
      nodeMs: {},
      replicas: { policy: { "http://127.0.0.1:1/v1/chat/completions": counts } },
    };
    const lines = [
      record("a", { usage }),
      record("b", { usage: { ...usage, replicas: { ["__proto__"]: usage.replicas.policy } } }),
      record("c", { usage: { ...usage, replicas: { policy: { "javascript:x": counts } } } }),
    ];
    // A computed "__proto__" is an own key, which JSON.stringify writes as a crafted file would hold it.
    writeFileSync(path, lines.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const read = readResults(path);
    expect(read.records.map((r) => [r.id, r.usage?.replicas])).toEqual([
      ["a", usage.replicas],
      ["b", {}],
    ]);
    expect(Object.getPrototypeOf(read.records[1].usage!.replicas)).toBe(Object.prototype);
    expect(read.badLines.map((b) => b.line)).toEqual([3]);
  });
});
