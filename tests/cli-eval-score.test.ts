import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { alpacaEvalText, lcWarning } from "../src/cli/commands/eval-score.js";
import { readAnnotations } from "../src/eval/alpaca-eval/annotations.js";
import { readGamedBaselines } from "../src/eval/alpaca-eval/gamed-baselines.js";
import { lengthControlledWinRate } from "../src/eval/alpaca-eval/length-controlled.js";
import { winRate } from "../src/eval/alpaca-eval/win-rate.js";
import { ROOT } from "./helpers/cli.js";

const FIXTURES = join(ROOT, "tests", "fixtures", "alpaca-eval-scoring");
const annotations = readAnnotations(
  JSON.parse(gunzipSync(readFileSync(join(FIXTURES, "annotations", "claude-2.1.json.gz"))).toString()),
);

describe("tpo eval score alpaca-eval as text", () => {
  it("prints the raw and the length-controlled win rate side by side", () => {
    const gamed = readGamedBaselines(readFileSync(join(FIXTURES, "df_gamed.csv"), "utf8"));
    const text = alpacaEvalText(
      "claude-2.1",
      "gpt4_1106_preview",
      lengthControlledWinRate(annotations, gamed),
    );
    expect(text).toMatch(/^ +raw +length-controlled$/m);
    expect(text).toMatch(/^ {2}win rate +15\.73 ± 1\.12 +17\.10 ± \d+\.\d\d$/m);
    expect(text).toMatch(/^ {2}average length +\d+ characters$/m);
  });

  it("shows '-' for LC without the gamed baselines", () => {
    expect(alpacaEvalText("claude-2.1", "gpt4_1106_preview", winRate(annotations))).toMatch(
      /^ {2}win rate +15\.73 ± 1\.12 +-$/m,
    );
  });

  it("warns beyond alpaca_eval's threshold (get_is_extreme_changes: abs_diff 10, rel_diff 4), and only there", () => {
    const raw = winRate(annotations);
    const lc = (value: number) => ({
      ...raw,
      win_rate: 20,
      length_controlled_winrate: value,
      lc_standard_error: 1,
    });
    // raw 20: below min(20 - 20/4, 20 - 10) = 10, or above max(20 + 80/4, 20 + 10) = 40
    expect(lcWarning(lc(9.9))).toMatch(
      /^tpo: the LC win rate \(9\.9%\) is very different from the raw one \(20\.0%\), beyond alpaca_eval's threshold/,
    );
    expect(lcWarning(lc(40.1))).not.toBeNull();
    expect(lcWarning(lc(10.1))).toBeNull();
    expect(lcWarning(lc(39.9))).toBeNull();
    expect(lcWarning(raw)).toBeNull();
  });
});
