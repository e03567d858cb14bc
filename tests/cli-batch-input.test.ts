import { samplePromptsPath } from "./helpers/records.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseBatchInput, readBatchInput } from "../src/eval/batch/input.js";
import { TpoFileError } from "../src/errors.js";
import { settingsPerMode } from "../src/cli/batch/modes.js";
import { planJobs } from "../src/eval/batch/plan.js";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { latestRecords } from "../src/eval/batch/results-file.js";
import { inShard } from "../src/eval/batch/shard.js";
import { parseShard } from "../src/cli/batch/batch-flags.js";
import { removeTempDirs, tempDir } from "./helpers/cli.js";

const sample = readFileSync(samplePromptsPath(), "utf8");

describe("batch input", () => {
  it("reads the reference sample file as it is, with stable content ids", () => {
    const items = parseBatchInput(sample, "sample.json");
    expect(items).toHaveLength(100);
    expect(items.every((i) => i.input && !i.error)).toBe(true);
    expect(new Set(items.map((i) => i.id)).size).toBe(100);
    expect(parseBatchInput(sample, "sample.json").map((i) => i.id)).toEqual(items.map((i) => i.id));
    expect(items[0].source).toBe("item 1");
  });

  it("reads JSONL of prompts and conversations; a malformed line becomes an error item with its number", () => {
    const text = [
      '{"id": 7, "prompt": "Hello?"}',
      "{oops",
      '{"prompt": ""}',
      "",
      '{"messages": [{"role": "user", "content": "Hi"}]}',
      '{"messages": [{"role": "robot", "content": "Hi"}]}',
      '"just a string"',
    ].join("\n");
    const items = parseBatchInput(text, "q.jsonl");
    expect(items.map((i) => [i.source, i.error ?? "ok"])).toEqual([
      ["line 1", "ok"],
      ["line 2", expect.stringMatching(/^invalid JSON/)],
      ["line 3", expect.stringMatching(/^no query: no "prompt", "instruction" or "turns"/)],
      ["line 5", "ok"],
      ["line 6", expect.stringContaining('role "robot"')],
      ["line 7", "ok"],
    ]);
    expect(items[0].id).toBe("7");
    expect(items[1].id).toBe("line-2");
  });

  it("reads the query fields of AlpacaEval (instruction) and Arena-Hard (one of turns, or prompt)", () => {
    const text = [
      '{"instruction": "Alpaca?", "dataset": "x"}',
      '{"question_id": "q1", "turns": [{"content": "Arena?"}]}',
      '{"uid": "u1", "prompt": "Arena v2?"}',
      '{"turns": [{"content": "first"}, {"content": "second"}]}',
    ].join("\n");
    const items = parseBatchInput(text, "q.jsonl");
    expect(items.map((i) => i.input)).toEqual([
      { query: "Alpaca?" },
      { query: "Arena?" },
      { query: "Arena v2?" },
      null,
    ]);
    expect(items[3].error).toMatch(/"turns" has 2 turns/);
  });

  it("takes Arena-Hard's uid (v2) or question_id (v0.1) as the id when there is no id, so judging matches them", () => {
    const text = [
      '{"uid": "u1", "prompt": "Arena v2?"}',
      '{"question_id": "q1", "turns": [{"content": "Arena?"}]}',
      '{"id": "mine", "uid": "u2", "prompt": "Both?"}',
    ].join("\n");
    expect(parseBatchInput(text, "q.jsonl").map((i) => i.id)).toEqual(["u1", "q1", "mine"]);
  });

  it("refuses, in one error naming the fields it reads, a file where no entry has a query", () => {
    const text = ['{"question_text": "What?"}', '{"question_text": "Why?"}'].join("\n");
    const refusal = () => parseBatchInput(text, "q.jsonl");
    expect(refusal).toThrow(TpoFileError);
    expect(refusal).toThrow(/q\.jsonl: none of its 2 entries has a query/);
    expect(refusal).toThrow(/"prompt".*"instruction".*"turns".*"messages"/);
    // One bad entry among good ones stays an error record of its own.
    expect(parseBatchInput(`${text}\n"fine"`, "q.jsonl").map((i) => i.input !== null)).toEqual([
      false,
      false,
      true,
    ]);
  });

  it("keeps ids unique: repeated content gets a suffix, a repeated explicit id is an error", () => {
    const items = parseBatchInput('["same", "same"]', "a.json");
    expect(items[1].id).toBe(`${items[0].id}-2`);
    const dup = parseBatchInput('{"id": "x", "prompt": "a"}\n{"id": "x", "prompt": "b"}', "b.jsonl");
    expect(dup[1].error).toBe('duplicate id "x"');
  });
});

describe("batch input from a careless user", () => {
  it("takes a byte-order mark in JSONL and in a JSON array", () => {
    const jsonl = parseBatchInput(
      '\uFEFF{"id": "a", "prompt": "Hi"}\n{"id": "b", "prompt": "Yo"}',
      "q.jsonl",
    );
    expect(jsonl.map((i) => [i.id, i.error])).toEqual([
      ["a", undefined],
      ["b", undefined],
    ]);
    expect(parseBatchInput('\uFEFF["Hi"]', "q.json")[0].error).toBeUndefined();
  });

  it("refuses a file that is not JSON line after line, and escapes control characters it echoes", () => {
    const garbage = Array.from({ length: 12 }, (_, i) => `\u0001\u001b[2J garbage ${i}`).join("\n");
    expect(() => parseBatchInput(garbage, "x.bin")).toThrow(
      /x\.bin does not look like JSONL or a JSON array/,
    );
    expect(() => parseBatchInput("\u0000\u0001", "y.bin")).toThrow(/does not look like JSONL/);
    const items = parseBatchInput('{"prompt": "Hi"}\n\u001b[31m', "q.jsonl");
    expect(items[1].error).toMatch(/^invalid JSON/);
    // eslint-disable-next-line no-control-regex
    expect(items[1].error).not.toMatch(/[\u0000-\u001f]/);
  });

  it("bounds a JSON array, which is read whole, in total: many short lines over the limit are refused, JSONL is not", () => {
    vi.stubEnv("TPO_MAX_LINE_MB", "1");
    try {
      const dir = tempDir();
      const lines = Array.from({ length: 120_000 }, (_, i) => `"q${i}"`); // about 1.1 MiB in all
      const array = join(dir, "big.json");
      writeFileSync(array, `[\n${lines.join(",\n")}\n]\n`);
      expect(() => readBatchInput(array)).toThrow(
        /big\.json is a JSON array longer than 1 MiB, which is read whole/,
      );
      const jsonl = join(dir, "big.jsonl");
      writeFileSync(jsonl, lines.map((q) => `{"prompt": ${q}}`).join("\n"));
      expect(readBatchInput(jsonl)).toHaveLength(lines.length);
    } finally {
      vi.unstubAllEnvs();
      removeTempDirs();
    }
  });
});

describe("--shard", () => {
  it("partitions ids into disjoint slices that cover them all", () => {
    const ids = parseBatchInput(sample, "sample.json").map((i) => i.id);
    const shards = [0, 1, 2, 3].map((index) => ids.filter((id) => inShard(id, { index, count: 4 })));
    expect(shards.flat().sort()).toEqual([...ids].sort());
    expect(shards.every((s) => s.length > 0)).toBe(true);
  });

  it.each(["4/4", "1", "a/b", "0/0", "-1/2"])("rejects %s", (text) => {
    expect(() => parseShard(text)).toThrow("--shard");
  });
});

describe("what a resumed batch has left to do", () => {
  const items = parseBatchInput('{"id": "a", "prompt": "A?"}\n{"id": "b", "prompt": "B?"}\n{oops', "q.jsonl");
  const contexts = settingsPerMode({ width: 2, depth: 1 }, ["tpo", "bon"], true);
  const record = (id: string, mode: "tpo" | "bon" | null, error = false): BatchRecord => ({
    id,
    mode,
    query: null,
    elapsedMs: 0,
    finishedAt: "x",
    ...(error ? { error: { message: "down" } } : {}),
  });
  const existing = latestRecords([
    record("a", "tpo"),
    record("b", "bon", true),
    record("line-3", null, true),
  ]);

  it("skips every query and mode with a record, failed ones too", () => {
    const plan = planJobs(items, contexts, existing, false);
    expect(plan.jobs.map((j) => `${j.item.id}/${j.mode}`)).toEqual(["a/bon", "b/tpo"]);
    expect(plan.unreadable).toEqual([]);
  });

  it("retries failed queries with --retry-failed, but not unreadable lines", () => {
    const plan = planJobs(items, contexts, existing, true);
    expect(plan.jobs.map((j) => `${j.item.id}/${j.mode}`)).toEqual(["a/bon", "b/tpo", "b/bon"]);
    expect(plan.unreadable).toEqual([]);
    expect(planJobs(items, contexts, new Map(), false).unreadable.map((i) => i.source)).toEqual(["line 3"]);
  });
});
