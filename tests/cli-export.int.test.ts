import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { readRecords } from "./helpers/records.js";

/** Samples of each suite's format, copied from its repository (tests/fixtures/README.md). */
const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const ALPACA_SAMPLE = JSON.parse(readFileSync(fixture("alpaca-eval/outputs.json"), "utf8")) as Record<
  string,
  unknown
>[];
const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
// v2's answers: gen_answer.py's fields and the metadata that add_markdown_info.py adds for style control.
const ARENA_SAMPLE = jsonLines(
  readFileSync(fixture("arena-hard/o3-mini-answers-with-metadata.jsonl"), "utf8"),
);
const ARENA_QUESTIONS = jsonLines(readFileSync(fixture("arena-hard/question.jsonl"), "utf8")) as {
  uid: string;
  prompt: string;
}[];
const OFFICIAL_SAMPLE = JSON.parse(readFileSync(fixture("official/reference-output.json"), "utf8")) as Record<
  string,
  unknown
>[];

let dir: string;
let results: string;
let records: BatchRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tpo-export-"));
  // The suites' own questions, as a user would feed them to tpo batch: Arena-Hard's uids as ids.
  const input = join(dir, "questions.jsonl");
  writeFileSync(
    input,
    [
      ...ARENA_QUESTIONS.map((q) => ({ id: q.uid, prompt: q.prompt })),
      ...ALPACA_SAMPLE.map((e, i) => ({ id: `alpaca-${i}`, prompt: e.instruction })),
    ]
      .map((line) => JSON.stringify(line))
      .join("\n"),
  );
  results = join(dir, "results.jsonl");
  const batch = await runCliInProcess([
    "batch",
    input,
    "--out",
    results,
    "--modes",
    "tpo,bon",
    "--width",
    "2",
    "--depth",
    "1",
    "--system-prompt",
    "You are a helpful assistant.",
    "--quiet",
  ]);
  expect(batch.code, batch.stderr).toBe(0);
  records = readRecords(results);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(() => {
  killChildren();
  removeTempDirs();
});

const typeOf = (value: unknown) => (Array.isArray(value) ? "array" : value === null ? "null" : typeof value);
const best = (id: string, mode = "tpo") => records.find((r) => r.id === id && r.mode === mode)!.best!.text;

describe("tpo export", () => {
  it("writes AlpacaEval's model outputs: a JSON list of {instruction, output, generator, dataset}", async () => {
    const out = join(tempDir(), "model_outputs.json");
    const result = await runCliInProcess([
      "export",
      results,
      "--format",
      "alpaca-eval",
      "--mode",
      "tpo",
      "--model-name",
      "llama-tpo",
      "--dataset",
      "helpful_base",
      "--out",
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>[];
    expect(entries).toHaveLength(records.filter((r) => r.mode === "tpo").length);
    const sampleKeys = new Set(Object.keys(ALPACA_SAMPLE[0]));
    for (const entry of entries) {
      // The fields of the sample, with the sample's types; only its datasplit is left out.
      expect(Object.keys(entry).sort()).toEqual(["dataset", "generator", "instruction", "output"]);
      for (const key of Object.keys(entry)) {
        expect(sampleKeys.has(key)).toBe(true);
        expect(typeOf(entry[key])).toBe(typeOf(ALPACA_SAMPLE[0][key]));
      }
      expect(entry).toMatchObject({ generator: "llama-tpo", dataset: "helpful_base" });
    }
    // AlpacaEval joins outputs to its set by instruction: each one is the set's text exactly.
    for (const [i, sample] of ALPACA_SAMPLE.entries()) {
      expect(entries).toContainEqual({
        instruction: sample.instruction,
        output: best(`alpaca-${i}`),
        generator: "llama-tpo",
        dataset: "helpful_base",
      });
    }
  });

  it("writes Arena-Hard's model answers as gen_judgment reads them, keyed by the questions' uids", async () => {
    const out = join(tempDir(), "llama-tpo.jsonl");
    const result = await runCliInProcess([
      "export",
      results,
      "--format",
      "arena-hard",
      "--mode",
      "tpo",
      "--model-name",
      "llama-tpo",
      "--out",
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/names a model after its answer file/);
    const answers = jsonLines(readFileSync(out, "utf8"));
    const sample = ARENA_SAMPLE[0];
    for (const answer of answers) {
      expect(Object.keys(answer).sort()).toEqual(Object.keys(sample).sort());
      for (const key of Object.keys(sample)) expect(typeOf(answer[key])).toBe(typeOf(sample[key]));
      const messages = answer.messages as { role: string; content: unknown }[];
      const sampleMessages = sample.messages as { role: string; content: Record<string, unknown> }[];
      expect(messages.at(-1)!.role).toBe("assistant");
      expect(Object.keys(messages.at(-1)!.content as object)).toEqual(
        Object.keys(sampleMessages.at(-1)!.content),
      );
      expect(messages.at(-2)).toMatchObject({ role: "user" });
      expect(messages[0]).toEqual({ role: "system", content: "You are a helpful assistant." });
      expect(answer.model).toBe("llama-tpo");
      const metadata = answer.metadata as Record<string, unknown>;
      expect(Object.keys(metadata)).toEqual(Object.keys(sample.metadata as object));
      expect(metadata.token_len).toBeGreaterThan(0);
    }
    // gen_judgment.py: load_model_answers keys each file's lines by "uid"; the judge reads
    // answer["messages"][-1]["content"]["answer"] for each question of question.jsonl.
    const byUid = new Map(answers.map((a) => [a.uid as string, a]));
    for (const question of ARENA_QUESTIONS) {
      const answer = byUid.get(question.uid)!;
      const messages = answer.messages as { content: { answer: string } | string }[];
      expect((messages.at(-1)!.content as { answer: string }).answer).toBe(best(question.uid));
      expect(messages.at(-2)!.content).toBe(question.prompt);
    }

    const again = join(tempDir(), "answers.jsonl");
    const renamed = await runCliInProcess([
      "export",
      results,
      "--format",
      "arena-hard",
      "--mode",
      "first:tpo",
      "--out",
      again,
    ]);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stderr).toMatch(/save it as data\/<bench>\/model_answer\/tpo-sim-first\.jsonl/);
    const first = jsonLines(readFileSync(again, "utf8"));
    const firstSample = (id: string) =>
      records.find((r) => r.id === id && r.mode === "tpo")!.pool!.find((c) => c.iteration === 0)!.text;
    expect(
      first.map((a) => (a.messages as { content: { answer: string } }[]).at(-1)!.content.answer),
    ).toEqual(first.map((a) => firstSample(a.uid as string)));
  });

  it("writes the reference implementation's JSON, as its run.py reads it back", async () => {
    const out = join(tempDir(), "official.json");
    const result = await runCliInProcess([
      "export",
      results,
      "--format",
      "official",
      "--mode",
      "tpo",
      "--out",
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(readFileSync(out, "utf8")) as Record<string, number>[];
    const tpo = records.filter((r) => r.mode === "tpo");
    expect(entries).toHaveLength(tpo.length);
    const key = /^INDEX(-1|\d+)<SEP>[\s\S]*<SEP>[\s\S]*$/;
    for (const sample of [OFFICIAL_SAMPLE, entries]) {
      for (const entry of sample) {
        for (const [k, v] of Object.entries(entry)) {
          expect(k).toMatch(key);
          expect(k.split("<SEP>")).toHaveLength(3);
          expect(typeof v).toBe("number");
        }
      }
    }
    // run.py resumes by the queries it finds: {k.split("<SEP>")[1] for res in results for k in res}.
    const queries = new Set(entries.flatMap((e) => Object.keys(e).map((k) => k.split("<SEP>")[1])));
    expect(queries).toEqual(new Set(tpo.map((r) => r.query)));
    const indices = new Set(entries.flatMap((e) => Object.keys(e).map((k) => k.split("<SEP>")[0])));
    expect(indices).toEqual(new Set(["INDEX-1", "INDEX0"]));
    // Indented as json.dump(results, f, indent=4) writes it.
    expect(readFileSync(out, "utf8")).toMatch(/^\[\n {4}\{\n {8}"INDEX/);
  });

  it("refuses bad input with exit 2", async () => {
    const out = join(tempDir(), "out.json");
    const cases: [string[], RegExp][] = [
      [
        ["--format", "csv"],
        /--format must be one of alpaca-eval, arena-hard, official, langsmith, got "csv"/,
      ],
      [["--format", "langsmith"], /--format langsmith writes no file: leave out --out/],
      [
        ["--format", "alpaca-eval", "--langsmith-experiment", "x"],
        /--langsmith-experiment goes with --format langsmith/,
      ],
      [
        ["--format", "alpaca-eval", "--mode", "revision"],
        /has no records of mode revision \(it has tpo, bon\)/,
      ],
      [["--format", "official", "--mode", "first:tpo"], /give a mode \(tpo, revision, bon\), not first/],
      [["--format", "arena-hard", "--dataset", "x"], /--dataset is a field of AlpacaEval's format only/],
    ];
    const runs = await Promise.all(
      cases.map(([args]) => runCliInProcess(["export", results, ...args, "--out", out])),
    );
    for (const [i, result] of runs.entries()) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(cases[i][1]);
    }
  });
});
