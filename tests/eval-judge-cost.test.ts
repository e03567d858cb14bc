import { describe, expect, it } from "vitest";
import { judgeFooter, judgeSummaryJson, type JudgeSummary } from "../src/cli/eval/judge-footer.js";

/** The judge's cost in `tpo eval`'s summary, with values computed by hand. */
const run: JudgeSummary = {
  judged: 3,
  kept: 1,
  out: "annotations.json",
  judge: "gpt-4o",
  prompt: "tpo:alpaca-eval-judge-v1",
  baseline: "gpt4_1106_preview",
  usage: { requests: 3, promptTokens: 10_000, completionTokens: 2_000 },
  simulated: false,
};
// $2.50 per million input tokens, $10 per million output tokens, $0.001 a request:
// 10,000 × 2.5e-6 + 2,000 × 1e-5 + 3 × 0.001 = 0.025 + 0.02 + 0.003 = $0.048.
const price = { inputPerToken: 2.5e-6, outputPerToken: 1e-5, perRequest: 0.001 };

describe("the judge's cost in tpo eval's summary", () => {
  it("shows the run's cost in USD when the judge has a price", () => {
    expect(judgeFooter({ ...run, price })).toContain(
      "This run: 3 judge requests, 10000 prompt and 2000 completion tokens, $0.0480.",
    );
    const json = judgeSummaryJson({ ...run, price });
    expect(json.costUsd).toBeCloseTo(0.048, 12);
    expect(json).toMatchObject({
      judged: 3,
      kept: 1,
      requests: 3,
      promptTokens: 10_000,
      completionTokens: 2_000,
    });
  });

  it("shows no cost without a price", () => {
    expect(judgeFooter(run)).toContain(
      "This run: 3 judge requests, 10000 prompt and 2000 completion tokens.",
    );
    expect(judgeFooter(run).join("\n")).not.toContain("$");
    expect(judgeSummaryJson(run)).not.toHaveProperty("costUsd");
  });
});
