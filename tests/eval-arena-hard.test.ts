import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJudgments } from "../src/eval/arena-hard/judgments.js";
import { markdownCounts } from "../src/eval/arena-hard/markdown-metadata.js";
import { arenaHardScores, formatInterval } from "../src/eval/arena-hard/scores.js";
import {
  type AnswerMetadata,
  fitBradleyTerry,
  styleControlledScores,
  styleDesign,
  type StyleMetadata,
} from "../src/eval/arena-hard/style-control.js";
import { EvalInputError } from "../src/eval/input-error.js";
import { ROOT } from "./helpers/cli.js";

// A small judgment set and show_result.py's method on it: tests/fixtures/arena-hard-scoring/README.md
const FIXTURES = join(ROOT, "tests", "fixtures", "arena-hard-scoring");
const judgments = readJudgments([
  { source: "judgments.jsonl", text: readFileSync(join(FIXTURES, "judgments.jsonl"), "utf8") },
]);
const metadata: StyleMetadata = new Map(
  Object.entries(
    JSON.parse(readFileSync(join(FIXTURES, "metadata.json"), "utf8")) as Record<
      string,
      Record<string, AnswerMetadata>
    >,
  ).map(([model, byUid]) => [model, new Map(Object.entries(byUid))]),
);
const reference = JSON.parse(readFileSync(join(FIXTURES, "reference.json"), "utf8")) as {
  null_judgments: number;
  battles: number;
  mean_scores: Record<string, number>;
  bt_full_data: Record<string, number>;
  bt_style_coefficients: number[];
};
const BASELINE = "baseline-model";

describe("Arena-Hard judgments", () => {
  it("count a strong verdict three times, both orders, and the null judgments, as load_judgments does", () => {
    expect(judgments.nullJudgments).toBe(reference.null_judgments);
    expect(judgments.battles.length).toBe(reference.battles);
  });

  it("map each order's verdict to the model's scores", () => {
    const one = (games: unknown) =>
      readJudgments([{ source: "j", text: JSON.stringify({ uid: "q", model: "m", games }) }]).battles.map(
        (b) => b.score,
      );
    // game 1 shows the baseline as A, game 2 the model as A
    expect(one([{ score: "A>>B" }, { score: "A>B" }])).toEqual([1, 0, 0, 0]);
    expect(one([{ score: "B>A" }, { score: "B<<A" }])).toEqual([1, 1, 1, 1]);
    expect(one([{ score: "A=B" }, { score: "B=A" }])).toEqual([0.5, 0.5]);
  });

  it("refuses an unknown verdict with one line naming the file and line", () => {
    const text = `${JSON.stringify({ uid: "q", model: "m", games: [{ score: "A>B" }, { score: "A>B" }] })}\n${JSON.stringify({ uid: "q", model: "m", games: [{ score: "A>B" }, { score: "[[A]]" }] })}`;
    expect(() => readJudgments([{ source: "x.jsonl", text }])).toThrow(
      new EvalInputError(
        "x.jsonl",
        'line 2: verdict "[[A]]" is not one of A>>B, A>B, A=B, B>A, B>>A (or their mirror forms)',
      ),
    );
  });
});

describe("Arena-Hard scores", () => {
  const rows = arenaHardScores(judgments.battles, { baseline: BASELINE, seed: 7 });

  it("bootstrap each model's mean: the score near the plain mean, inside its 5-95% interval, the baseline at 50", () => {
    for (const [model, plain] of Object.entries(reference.mean_scores)) {
      const row = rows.find((r) => r.model === model)!;
      expect(Math.abs(row.score - plain), model).toBeLessThan(1);
      expect(row.lower).toBeLessThan(plain);
      expect(row.upper).toBeGreaterThan(plain);
    }
    expect(rows.find((r) => r.model === BASELINE)).toMatchObject({ score: 50, lower: 50, upper: 50 });
    expect(rows.map((r) => r.model)).toEqual(["strong-model", "mid-model", BASELINE, "weak-model"]);
  });

  it("is reproducible with its seed and changes with another", () => {
    expect(arenaHardScores(judgments.battles, { baseline: BASELINE, seed: 7 })).toEqual(rows);
    expect(arenaHardScores(judgments.battles, { baseline: BASELINE, seed: 8 })).not.toEqual(rows);
    // 83.46 − 79.51 is 3.9499… in binary, so Python rounds it to 3.9 as well
    expect(formatInterval({ model: "m", score: 83.46, lower: 79.51, upper: 87.85, battles: 1 })).toBe(
      "(-3.9 / +4.4)",
    );
  });
});

describe("Arena-Hard style control", () => {
  it("fits the Bradley-Terry optimum that scikit-learn finds on the same design", () => {
    const design = styleDesign(judgments.battles, metadata, BASELINE);
    const beta = fitBradleyTerry(design.x, design.y);
    for (const [j, model] of design.free.entries()) {
      // sklearn's lbfgs stops within 1e-4 points of the optimum that Newton reaches
      expect(100 / (1 + Math.exp(-beta[j]!)), model).toBeCloseTo(reference.bt_full_data[model]!, 3);
    }
    expect(beta.slice(design.free.length)).toEqual(
      reference.bt_style_coefficients.map((c) => expect.closeTo(c, 4)),
    );
  });

  it("reports the bootstrap median with its interval, the baseline at 50", () => {
    const { rows, styleCoefficients } = styleControlledScores(judgments.battles, metadata, {
      baseline: BASELINE,
      seed: 1,
    });
    for (const row of rows.filter((r) => r.model !== BASELINE)) {
      expect(Math.abs(row.score - reference.bt_full_data[row.model]!), row.model).toBeLessThan(2);
      expect(row.lower).toBeLessThanOrEqual(row.score);
      expect(row.upper).toBeGreaterThanOrEqual(row.score);
    }
    expect(rows.find((r) => r.model === BASELINE)!.score).toBe(50);
    expect(Object.keys(styleCoefficients)).toEqual(["length", "header", "list", "bold"]);
  });

  it("leaves out a style feature that is constant over the games and names it, instead of NaN scores", () => {
    // No answer has any markdown (as in the simulated world): the markdown differences are all 0,
    // their standard deviation 0, and show_result.py's normalisation divides 0 by 0.
    const plain: StyleMetadata = new Map(
      [...metadata].map(([model, byUid]) => [
        model,
        new Map(
          [...byUid].map(([uid, m]) => [
            uid,
            { token_len: m.token_len, header_count: 0, list_count: 0, bold_count: 0 },
          ]),
        ),
      ]),
    );
    const result = styleControlledScores(judgments.battles, plain, { baseline: BASELINE, seed: 1 });
    expect(result.constantFeatures).toEqual(["header", "list", "bold"]);
    expect(Object.keys(result.styleCoefficients)).toEqual(["length"]);
    for (const row of result.rows) {
      for (const value of [row.score, row.lower, row.upper])
        expect(Number.isFinite(value), row.model).toBe(true);
    }
    // The same fit as length-only control, which never used the markdown columns.
    const lengthOnly = styleControlledScores(judgments.battles, plain, {
      baseline: BASELINE,
      seed: 1,
      features: "length",
    });
    expect(result.rows).toEqual(lengthOnly.rows);
    expect(lengthOnly.constantFeatures).toEqual([]);
  });

  it("names the missing answer metadata", () => {
    expect(() => styleDesign(judgments.battles, new Map(), BASELINE)).toThrow(
      /no answer metadata for model "strong-model"/,
    );
  });

  it("counts markdown outside code blocks as add_markdown_info.py does", () => {
    const answer =
      "# Title\n## Part\n1. one\n2. two\n- a\n* b\n**bold** and __under__\n```\n# not a header\n- not a list\n```\n";
    expect(markdownCounts(answer)).toEqual({
      header_count: { h1: 1, h2: 1, h3: 0, h4: 0, h5: 0, h6: 0 },
      list_count: { ordered: 2, unordered: 2 },
      bold_count: { "**": 1, __: 1 },
    });
  });
});
