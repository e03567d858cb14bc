import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { readRecords, samplePrompts, samplePromptsPath } from "./helpers/records.js";

afterEach(() => {
  killChildren();
  removeTempDirs();
});

function promptsFile(dir: string, count: number): string {
  const path = join(dir, "prompts.json");
  writeFileSync(path, JSON.stringify(samplePrompts().slice(0, count)));
  return path;
}

describe("tpo batch", () => {
  it("completes all 100 reference sample prompts, one record each, and summarises them", async () => {
    const out = join(tempDir(), "results.jsonl");
    // Above Node's 10 listeners per signal: one query's leftovers must not pile up on the batch's.
    const result = await runCliInProcess(["batch", samplePromptsPath(), "--out", out, "--concurrency", "16"]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/MaxListenersExceededWarning/);
    const records = readRecords(out);
    expect(records).toHaveLength(100);
    expect(new Set(records.map((r) => r.id)).size).toBe(100);
    expect(new Set(records.map((r) => r.query))).toEqual(new Set(samplePrompts()));
    for (const record of records) {
      expect(record.error).toBeUndefined();
      expect(record.mode).toBe("tpo");
      expect(record.history).toHaveLength(3);
      expect(record.best!.score).toBe(Math.max(...record.pool!.map((c) => c.score!)));
      expect(record.usage!.modelRequests).toBe(7);
    }
    expect(readFileSync(out, "utf8").endsWith("\n")).toBe(true);
    expect(result.stdout).toMatch(/mode\s+iteration\s+queries\s+mean best\s+mean new/);
    expect(result.stdout).toMatch(/^tpo\s+2\s+100\s/m);
    expect(result.stdout).toMatch(/Simulated world/);
    expect(result.stderr).toMatch(/100\/100 · 0 failed/);
  });

  it("turns a malformed line into an error record with its line number and goes on", async () => {
    const dir = tempDir();
    const input = join(dir, "queries.jsonl");
    writeFileSync(
      input,
      [
        JSON.stringify({ id: "a", prompt: "How do I brew green tea?" }),
        "{ this is not json",
        JSON.stringify({ id: "b" }),
        "",
        JSON.stringify({ messages: [{ role: "user", content: "Explain compound interest." }] }),
        JSON.stringify({ prompt: "Name three uses of baking soda." }),
      ].join("\n"),
    );
    const out = join(dir, "out.jsonl");
    const result = await runCliInProcess(["batch", input, "--out", out, "--depth", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2: invalid JSON/);
    expect(result.stderr).toMatch(
      /line 3: no query: no "prompt", "instruction" or "turns" string and no "messages" array/,
    );
    expect(result.stderr).toMatch(/2 of 5 queries failed/);
    const records = readRecords(out);
    expect(records).toHaveLength(5);
    const errors = records.filter((r) => r.error);
    expect(errors.map((r) => r.error!.source).sort()).toEqual(["line 2", "line 3"]);
    expect(errors.every((r) => r.mode === null)).toBe(true);
    const ok = records.filter((r) => !r.error);
    expect(ok.map((r) => r.id)).toContain("a");
    expect(ok.find((r) => r.messages)?.query).toBe("Explain compound interest.");
    expect(ok.every((r) => r.best && r.history!.length === 2)).toBe(true);
  });

  it("resumes: skips queries that have a record and sets a torn last line aside", async () => {
    const dir = tempDir();
    const input = promptsFile(dir, 6);
    const out = join(dir, "out.jsonl");
    const first = await runCliInProcess(["batch", input, "--out", out, "--limit", "3", "--depth", "1"]);
    expect(first.code).toBe(0);
    const firstRecords = readRecords(out);
    expect(firstRecords).toHaveLength(3);

    // A crash in the middle of a write leaves a line without its newline.
    const torn = '{"id":"cut-short","mode":"tpo","query":"half a rec';
    writeFileSync(out, readFileSync(out, "utf8") + torn);

    const refused = await runCliInProcess(["batch", input, "--out", out, "--depth", "1"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--resume/);

    const resumed = await runCliInProcess(["batch", input, "--out", out, "--depth", "1", "--resume"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/cut short by a crash; moved it to .*out\.jsonl\.torn/);
    expect(readFileSync(`${out}.torn`, "utf8")).toBe(`${torn}\n`);
    const records = readRecords(out);
    expect(records).toHaveLength(6);
    expect(new Set(records.map((r) => r.id)).size).toBe(6);
    expect(records.slice(0, 3)).toEqual(firstRecords);
    expect(resumed.stderr).toMatch(/3\/3 · 0 failed/);

    const again = await runCliInProcess(["batch", input, "--out", out, "--depth", "1", "--resume"]);
    expect(again.code).toBe(0);
    expect(readRecords(out)).toHaveLength(6);
  });

  it("splits a data set into disjoint shards that together cover it, the same way every time", async () => {
    const dir = tempDir();
    const input = promptsFile(dir, 12);
    const shardIds = async (i: number, name: string, file = input) => {
      const out = join(dir, `${name}.jsonl`);
      const result = await runCliInProcess([
        "batch",
        file,
        "--out",
        out,
        "--shard",
        `${i}/3`,
        "--depth",
        "0",
      ]);
      expect(result.code).toBe(0);
      return readRecords(out).map((r) => r.id);
    };
    const shards = await Promise.all([0, 1, 2].map((i) => shardIds(i, `shard${i}`)));
    const all = shards.flat();
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
    expect(await shardIds(1, "shard1-again")).toEqual(shards[1]);
    // The same data set in another order, as a later export may give it: each shard keeps its queries.
    const reordered = join(dir, "reordered.json");
    writeFileSync(reordered, JSON.stringify(samplePrompts().slice(0, 12).reverse()));
    for (const i of [0, 1, 2]) {
      expect((await shardIds(i, `reordered${i}`, reordered)).sort()).toEqual([...shards[i]].sort());
    }
    const bad = await runCliInProcess(["batch", input, "--out", join(dir, "x.jsonl"), "--shard", "3/3"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard/);
  });

  it("runs each query under several modes at one candidate budget and writes the official format", async () => {
    const dir = tempDir();
    const input = promptsFile(dir, 4);
    const out = join(dir, "out.jsonl");
    const result = await runCliInProcess([
      "batch",
      input,
      "--out",
      out,
      "--modes",
      "bon,revision,tpo",
      "--width",
      "3",
      "--depth",
      "2",
      "--format",
      "official",
    ]);
    expect(result.code).toBe(0);
    const records = readRecords(out);
    expect(records).toHaveLength(12);
    const bon = records.filter((r) => r.mode === "bon");
    // Same budget: bon samples N·(D+1) = 3·3 responses at once, as many as tpo writes over its 3 steps.
    expect(bon.every((r) => r.settings!.width === 9 && r.history!.length === 1)).toBe(true);
    expect(
      records
        .filter((r) => r.mode === "tpo")
        .every((r) => r.settings!.width === 3 && r.history!.length === 3),
    ).toBe(true);
    expect(result.stdout).toMatch(/^revision\s+2\s+4\s/m);

    for (const mode of ["bon", "revision", "tpo"]) {
      const path = join(dir, `out.${mode}.official.json`);
      expect(existsSync(path)).toBe(true);
      const official = JSON.parse(readFileSync(path, "utf8")) as Record<string, number>[];
      expect(official).toHaveLength(4);
      for (const entry of official) {
        for (const [key, score] of Object.entries(entry)) {
          const [index, query, answer] = key.split("<SEP>");
          expect(index).toMatch(mode === "bon" ? /^INDEX-1$/ : /^INDEX(-1|0|1)$/);
          expect(samplePrompts()).toContain(query);
          expect(answer.length).toBeGreaterThan(0);
          expect(typeof score).toBe("number");
        }
      }
    }
    const bad = await runCliInProcess([
      "batch",
      input,
      "--out",
      join(dir, "y.jsonl"),
      "--modes",
      "bon,tpo",
      "--width",
      "20",
      "--depth",
      "5",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--modes: bon at the same budget needs width/);
  });
});
