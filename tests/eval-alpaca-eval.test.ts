import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { pythonLength, readAnnotations } from "../src/eval/alpaca-eval/annotations.js";
import { readGamedBaselines } from "../src/eval/alpaca-eval/gamed-baselines.js";
import { isExtremeChange, lengthControlledWinRate } from "../src/eval/alpaca-eval/length-controlled.js";
import {
  type LengthPair,
  minimalLengthControlledWinRate,
} from "../src/eval/alpaca-eval/length-controlled-minimal.js";
import { winRate } from "../src/eval/alpaca-eval/win-rate.js";
import { groupKFoldAssignment } from "../src/eval/glm/group-k-fold.js";
import { numpyArgsort } from "../src/eval/glm/numpy-argsort.js";
import { EvalInputError } from "../src/eval/input-error.js";
import { ROOT } from "./helpers/cli.js";

// Published data of alpaca_eval and reference values of its method: tests/fixtures/alpaca-eval-scoring/README.md
const FIXTURES = join(ROOT, "tests", "fixtures", "alpaca-eval-scoring");
const annotationsOf = (model: string) =>
  readAnnotations(
    JSON.parse(gunzipSync(readFileSync(join(FIXTURES, "annotations", `${model}.json.gz`))).toString()),
  );
const MODELS = readdirSync(join(FIXTURES, "annotations")).map((f) => f.replace(/\.json\.gz$/, ""));

/** The leaderboard CSV's rows (src/alpaca_eval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv). */
function leaderboard(): Map<string, Record<string, number>> {
  const [header, ...lines] = readFileSync(join(FIXTURES, "leaderboard.csv"), "utf8").trim().split("\n");
  const columns = header!.split(",");
  return new Map(
    lines.map((line) => {
      const cells = line.split(",");
      return [cells[0]!, Object.fromEntries(columns.map((c, i) => [c, Number(cells[i])]))];
    }),
  );
}

describe("AlpacaEval win rate against the published leaderboard", () => {
  const published = leaderboard();

  it.each(MODELS)(
    "%s: win_rate, standard_error, n_* and discrete_win_rate equal the leaderboard CSV's",
    (model) => {
      const expected = published.get(model)!;
      const ours = winRate(annotationsOf(model));
      expect(ours.win_rate).toBeCloseTo(expected["win_rate"]!, 10);
      expect(ours.standard_error).toBeCloseTo(expected["standard_error"]!, 10);
      expect(ours.discrete_win_rate).toBeCloseTo(expected["discrete_win_rate"]!, 10);
      for (const field of ["n_wins", "n_wins_base", "n_draws", "n_total"] as const) {
        expect(ours[field], field).toBe(expected[field]);
      }
    },
  );

  it("avg_length equals the leaderboard's where the annotations hold every model output", () => {
    for (const model of MODELS.filter((m) => published.get(m)!["n_total"] === 805)) {
      expect(winRate(annotationsOf(model)).avg_length, model).toBe(published.get(model)!["avg_length"]);
    }
  });
});

describe("AlpacaEval length-controlled win rate against the official method", () => {
  const gamed = readGamedBaselines(readFileSync(join(FIXTURES, "df_gamed.csv"), "utf8"));
  type Reference = Record<
    string,
    { C: number; length_controlled_winrate: number; lc_standard_error: number }
  >;
  const referenceOf = (file: string) => JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Reference;
  // sklearn's liblinear run to the optimum (tol 1e-12) and as alpaca_eval runs it (tol 1e-4)
  const optimum = referenceOf("reference-lc-tol-1e-12.json");
  const asPublished = referenceOf("reference-lc.json");

  it.each(Object.keys(optimum))("%s: the same C and LC as sklearn's liblinear at its optimum", (model) => {
    const ours = lengthControlledWinRate(annotationsOf(model), gamed);
    expect(ours.glm_C! / optimum[model]!.C).toBeCloseTo(1, 12);
    expect(ours.length_controlled_winrate).toBeCloseTo(optimum[model]!.length_controlled_winrate, 6);
    expect(ours.lc_standard_error).toBeCloseTo(optimum[model]!.lc_standard_error, 6);
    // liblinear's default tolerance leaves the official numbers this close to the optimum
    expect(
      Math.abs(ours.length_controlled_winrate - asPublished[model]!.length_controlled_winrate),
    ).toBeLessThan(0.1);
  });

  it("the baseline against itself is 50 by construction", () => {
    const ours = lengthControlledWinRate(annotationsOf("gpt4_1106_preview"), gamed);
    expect(ours.length_controlled_winrate).toBe(50);
    expect(ours.win_rate).toBe(50);
  });

  it("warns as alpaca_eval does when LC and raw differ a lot", () => {
    expect(isExtremeChange(20, 9.9)).toBe(true);
    expect(isExtremeChange(20, 10.1)).toBe(false);
    expect(isExtremeChange(50, 62.4)).toBe(false);
    expect(isExtremeChange(50, 62.6)).toBe(true);
  });
});

describe("length_controlled_minimal (tpo compare's LC) against the official method", () => {
  type Reference = Record<
    string,
    { pairs: { a: number; b: number; preference: number }[]; C: number; length_controlled_winrate: number }
  >;
  const referenceOf = (file: string) => JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Reference;
  const optimum = referenceOf("minimal-lc-tol-1e-10.json");
  const asPublished = referenceOf("minimal-lc.json");
  const pairsOf = (name: string): LengthPair[] =>
    optimum[name]!.pairs.map((p) => ({ preference: p.preference, modelLength: p.a, baselineLength: p.b }));

  it.each(Object.keys(optimum))("%s: the same C and LC as sklearn's liblinear at its optimum", (name) => {
    const ours = minimalLengthControlledWinRate(pairsOf(name))!;
    expect(ours.glm_C / optimum[name]!.C).toBeCloseTo(1, 12);
    expect(ours.length_controlled_winrate).toBeCloseTo(optimum[name]!.length_controlled_winrate, 6);
    // liblinear's default tolerance stops short of the optimum, far short when one side is always
    // the longer by a narrow spread (the length term and the intercept nearly collinear)
    const liblinearGap = name === "a-always-longer-narrow" ? 2 : 0.1;
    expect(
      Math.abs(ours.length_controlled_winrate - asPublished[name]!.length_controlled_winrate),
    ).toBeLessThan(liblinearGap);
  });

  it("mirrors when the sides swap: the baseline's LC is 100 minus the model's", () => {
    const pairs = pairsOf("longer-wins");
    const swapped = pairs.map((p) => ({
      preference: 1 - p.preference,
      modelLength: p.baselineLength,
      baselineLength: p.modelLength,
    }));
    const ours = minimalLengthControlledWinRate(pairs)!.length_controlled_winrate;
    expect(minimalLengthControlledWinRate(swapped)!.length_controlled_winrate).toBeCloseTo(100 - ours, 6);
  });

  it("is null when it cannot be fitted: fewer pairs than folds, or every length difference the same", () => {
    const pair = (modelLength: number): LengthPair => ({ preference: 1, modelLength, baselineLength: 10 });
    expect(minimalLengthControlledWinRate([1, 2, 3, 4].map(pair))).toBeNull();
    expect(minimalLengthControlledWinRate([5, 5, 5, 5, 5, 5].map(pair))).toBeNull();
    expect(minimalLengthControlledWinRate([1, 2, 3, 4, 5].map(pair))).not.toBeNull();
  });
});

describe("scikit-learn's GroupKFold, tie order included", () => {
  it("numpy's argsort of 40 equal keys, reversed, is the order numpy 1.24 gives", () => {
    // np.argsort(np.full(40, 2))[::-1], numpy 1.24.2 (Debian bookworm)
    expect(numpyArgsort(new Array(40).fill(2)).reverse()).toEqual([
      39, 38, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 18, 19, 20, 30, 37, 36, 35, 34, 33,
      32, 31, 29, 21, 28, 27, 26, 25, 24, 23, 22, 0,
    ]);
  });

  it("sorts unequal keys and gives the largest groups out first", () => {
    const keys = [5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4];
    expect(numpyArgsort(keys).map((i) => keys[i])).toEqual([...keys].sort((a, b) => a - b));
    expect(groupKFoldAssignment([1, 10, 1, 1], 2)).toEqual([1, 0, 1, 1]);
  });
});

describe("reading annotations", () => {
  const row = (preference: unknown, generator_2 = "m") => ({
    output_1: "a",
    output_2: "b",
    generator_1: "base",
    generator_2,
    preference,
  });

  it("takes preferences as numbers or strings, 0 and 1.5 as draws, null as none", () => {
    const a = readAnnotations([row("2.0"), row(1), row(0), row(1.5), row(null)]);
    expect(winRate(a)).toMatchObject({ n_total: 4, n_draws: 2, n_wins: 1, n_wins_base: 1, win_rate: 50 });
  });

  it("refuses a model column that changes and a preference outside [0, 2], naming them", () => {
    expect(() => readAnnotations([row(1), row(2, "other")], "a.json")).toThrow(
      new EvalInputError(
        "a.json",
        'generator_2 changes at row 1 ("m" then "other"): score one model against one baseline per file',
      ),
    );
    expect(() => readAnnotations([row(2.5)])).toThrow(/row 0: preference 2.5 is outside alpaca_eval's scale/);
    expect(() => readAnnotations([row(-1)])).toThrow(EvalInputError);
  });

  it("counts lengths in code points, as Python's len() does", () => {
    expect(pythonLength("a😀b")).toBe(3);
  });

  it("refuses a df_gamed.csv without the columns it needs", () => {
    expect(() => readGamedBaselines("model,index,preference\nx,0,0.5\n")).toThrow(
      /missing columns std_delta_len, instruction_difficulty, not_gamed_baseline/,
    );
  });
});
