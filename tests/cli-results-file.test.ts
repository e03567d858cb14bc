import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/cli/batch/record.js";
import {
  latestRecords,
  readResults,
  ResultsWriter,
  setAsideTornLine,
} from "../src/cli/batch/results-file.js";
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
    expect(readResults(path)).toEqual({ records: [record("a"), record("b")], badLines: [], torn: null });
  });

  it("detects a torn last line, never parses it, and sets it aside", () => {
    const path = join(tempDir(), "r.jsonl");
    // A torn line can be valid JSON by chance: without its newline it is still not a record.
    writeFileSync(path, `${JSON.stringify(record("a"))}\nnot a record\n${JSON.stringify(record("b"))}`);
    const read = readResults(path);
    expect(read.records.map((r) => r.id)).toEqual(["a"]);
    expect(read.badLines).toEqual([2]);
    expect(read.torn).toBe(JSON.stringify(record("b")));
    const aside = setAsideTornLine(path, read.torn!);
    expect(aside).toBe(`${path}.torn`);
    expect(readFileSync(aside, "utf8")).toBe(`${JSON.stringify(record("b"))}\n`);
    expect(readResults(path).torn).toBeNull();
  });

  it("takes the last record of each query and mode, so a retry replaces an error", () => {
    const latest = latestRecords([record("a", { error: { message: "down" } }), record("b"), record("a")]);
    expect(latest.size).toBe(2);
    expect([...latest.values()].every((r) => !r.error)).toBe(true);
  });
});
