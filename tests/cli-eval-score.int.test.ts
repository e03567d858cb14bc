import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";

const ALPACA = join(ROOT, "tests", "fixtures", "alpaca-eval-scoring");
const ARENA = join(ROOT, "tests", "fixtures", "arena-hard-scoring");

afterEach(killChildren);
afterAll(removeTempDirs);

/** claude-2.1's published annotations, unpacked where the CLI can read them. */
function annotationsFile(): string {
  const file = join(tempDir(), "annotations.json");
  writeFileSync(file, gunzipSync(readFileSync(join(ALPACA, "annotations", "claude-2.1.json.gz"))));
  return file;
}

describe("tpo eval score", () => {
  it("alpaca-eval --json prints alpaca_eval's fields, LC with --gamed", async () => {
    const result = await runCliInProcess([
      "eval",
      "score",
      "alpaca-eval",
      annotationsFile(),
      "--gamed",
      join(ALPACA, "df_gamed.csv"),
      "--json",
    ]);
    expect(result.code).toBe(0);
    const scores = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(scores).toMatchObject({
      model: "claude-2.1",
      baseline: "gpt4_1106_preview",
      n_total: 805,
      n_wins: 115,
    });
    expect(scores["win_rate"]).toBeCloseTo(15.733506736409938, 10);
    expect(scores["length_controlled_winrate"]).toBeCloseTo(17.0996647749, 6);
  }, 60_000);

  it("alpaca-eval without --gamed says where LC's data comes from", async () => {
    const result = await runCliInProcess(["eval", "score", "alpaca-eval", annotationsFile()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/win rate +15\.73 ± 1\.12/);
    expect(result.stderr).toMatch(
      /no LC win rate: it needs --gamed df_gamed.csv, from alpaca_eval's Hugging Face data set/,
    );
  }, 60_000);

  it("bad input is one line and exit 2", async () => {
    const result = await runCliInProcess([
      "eval",
      "score",
      "alpaca-eval",
      annotationsFile(),
      "--gamed",
      join(ALPACA, "leaderboard.csv"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/leaderboard.csv: missing columns model, index, preference/),
    ]);
  }, 60_000);

  it("arena-hard prints each model's score and interval, the baseline at 50, and the null judgments", async () => {
    const result = await runCliInProcess([
      "eval",
      "score",
      "arena-hard",
      join(ARENA, "judgments.jsonl"),
      "--baseline",
      "baseline-model",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^baseline-model +50\.0 +\(-0\.0 \/ \+0\.0\)$/m);
    expect(result.stdout).toMatch(/^strong-model +8\d\.\d +\(-\d\.\d \/ \+\d\.\d\)$/m);
    expect(result.stderr).toMatch(/1 of 120 judgments have a null game and are left out/);
  }, 60_000);
});
