import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readAnnotations } from "../src/eval/alpaca-eval/annotations.js";
import { winRate } from "../src/eval/alpaca-eval/win-rate.js";
import { readJudgments } from "../src/eval/arena-hard/judgments.js";
import { arenaHardScores } from "../src/eval/arena-hard/scores.js";
import { EvalInputError } from "../src/eval/input-error.js";
import { leaderboardRowsOf, LC_NEEDS_GAMED } from "../src/eval/report/leaderboard.js";
import { ROOT } from "./helpers/cli.js";

const FIXTURES = join(ROOT, "tests", "fixtures");
// The published annotations (slimmed to the columns scoring needs), with alpaca_eval's annotator column.
const ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo";
const officialAnnotations = JSON.stringify(
  (
    JSON.parse(
      gunzipSync(
        readFileSync(join(FIXTURES, "alpaca-eval-scoring", "annotations", "claude-2.1.json.gz")),
      ).toString(),
    ) as object[]
  ).map((row) => ({ ...row, annotator: ANNOTATOR })),
);
const fixtureJudgments = readFileSync(join(FIXTURES, "arena-hard-scoring", "judgments.jsonl"), "utf8");

describe("the report's leaderboard rows", () => {
  it("read alpaca_eval's own annotations: the raw rate, the annotator as judge and prompt, LC missing with its reason", () => {
    const [row] = leaderboardRowsOf({ source: "claude-2.1.json", text: officialAnnotations });
    const expected = winRate(readAnnotations(JSON.parse(officialAnnotations)));
    expect(row).toMatchObject({
      benchmark: "alpaca-eval",
      model: "claude-2.1",
      baseline: "gpt4_1106_preview",
      judge: ANNOTATOR,
      prompt: ANNOTATOR,
      winRate: expected.win_rate,
      n: expected.n_total,
      lcWinRate: null,
      notes: [LC_NEEDS_GAMED],
      simulated: false,
    });
  });

  it("read arena-hard-auto judgments without a baseline field: a row per model, the assumed baseline named in a note", () => {
    const rows = leaderboardRowsOf({ source: "judgments.jsonl", text: fixtureJudgments });
    const scores = arenaHardScores(readJudgments([{ source: "j", text: fixtureJudgments }]).battles, {
      baseline: "o3-mini-2025-01-31",
      seed: 0,
    }).filter((s) => s.model !== "o3-mini-2025-01-31");
    expect(rows.map((r) => [r.model, r.score, r.interval])).toEqual(
      scores.map((s) => [s.model, s.score, [s.lower, s.upper]]),
    );
    for (const row of rows) {
      expect(row).toMatchObject({ benchmark: "arena-hard", judge: "fixture-judge", prompt: "not recorded" });
      expect(row.notes.join(" ")).toMatch(/do not name their baseline: taken to be o3-mini-2025-01-31/);
    }
  });

  it("refuse, naming the file, a file that is neither, and judgments against two baselines", () => {
    expect(() => leaderboardRowsOf({ source: "x.csv", text: "a,b\n1,2\n" })).toThrow(EvalInputError);
    expect(() => leaderboardRowsOf({ source: "x.csv", text: "a,b\n1,2\n" })).toThrow(
      /^x\.csv: is neither alpaca_eval's annotations/,
    );
    const twoBaselines = fixtureJudgments
      .trim()
      .split("\n")
      .slice(0, 2)
      .map((line, i) => JSON.stringify({ ...JSON.parse(line), baseline: `base-${i}` }))
      .join("\n");
    expect(() => leaderboardRowsOf({ source: "two.jsonl", text: twoBaselines })).toThrow(
      /two\.jsonl: the judgments of category hard_prompt must name one baseline/,
    );
  });
});
