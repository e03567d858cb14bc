import { describe, expect, it } from "vitest";
import type { Annotation } from "../src/eval/alpaca-eval/judged-files.js";
import type { Judgment } from "../src/eval/arena-hard/judged-files.js";
import { alpacaEvalFeedback, arenaHardFeedback } from "../src/langsmith/leaderboard.js";

const usage = { requests: 1, promptTokens: 10, completionTokens: 1 };
const judge = { model: "gpt-4.1", baseUrl: "https://judge.example/v1" };

function annotation(instruction: string, preference: number | null): Annotation {
  return {
    instruction,
    output_1: "theirs",
    generator_1: "gpt4_1106_preview",
    output_2: "ours",
    generator_2: "tpo-tpo",
    annotator: "weighted:tpo:alpaca-eval-judge-v1",
    preference,
    tpo: { judge, prompt: "p", method: "weighted", answers: { output_1: "a", output_2: "b" }, usage },
  } as Annotation;
}

function judgment(uid: string, first: string | null, second: string | null): Judgment {
  return {
    uid,
    category: "hard_prompt",
    judge: "gpt-4.1",
    model: "tpo-tpo",
    baseline: "o3-mini",
    games: [first === null ? null : { score: first }, second === null ? null : { score: second }],
    tpo: { judge, prompt: "p", answers: { model: "a", baseline: "b" }, usage },
  } as unknown as Judgment;
}

describe("leaderboard feedback for LangSmith", () => {
  it("gives each AlpacaEval example preference − 1 under its query id, and the scores with the baseline and annotator", () => {
    const feedback = alpacaEvalFeedback(
      { name: "nightly", label: "tpo" },
      [annotation("Why?", 1.75), annotation("How?", null), annotation("Not ours", 2)],
      new Map([
        ["Why?", "q1"],
        ["How?", "q2"],
      ]),
      {
        win_rate: 75,
        standard_error: 3,
        n_total: 2,
        length_controlled_winrate: 70,
        lc_standard_error: 2,
      } as never,
    );
    expect(feedback.experiment).toBe("nightly-tpo");
    expect(feedback.key).toBe("alpaca_eval_win");
    expect(feedback.preferences.map((p) => [p.id, p.score])).toEqual([["q1", 0.75]]);
    expect(feedback.summary).toEqual({
      alpaca_eval_win_rate: 75,
      alpaca_eval_standard_error: 3,
      alpaca_eval_lc_win_rate: 70,
      alpaca_eval_lc_standard_error: 2,
      alpaca_eval_annotations: 2,
      alpaca_eval_baseline: "gpt4_1106_preview",
      alpaca_eval_judge: "weighted:tpo:alpaca-eval-judge-v1",
    });
  });

  it("scores an Arena-Hard question as arena-hard-auto counts its games, and leaves out a null game", () => {
    const feedback = arenaHardFeedback(
      { name: "nightly", label: "bon" },
      // Game 1 shows the baseline first: B>A is a win of ours; game 2 shows ours first: A>>B counts three.
      [judgment("q1", "B>A", "A>>B"), judgment("q2", "A=B", "B>A"), judgment("q3", null, "A>B")],
      { model: "tpo-bon", score: 61.5, lower: 55.1, upper: 67.2, battles: 6 },
    );
    expect(feedback.experiment).toBe("nightly-bon");
    expect(feedback.preferences.map((p) => [p.id, p.score])).toEqual([
      ["q1", 1],
      ["q2", 0.25],
    ]);
    expect(feedback.preferences[0].comment).toContain("baseline shown first: B>A; ours shown first: A>>B");
    expect(feedback.summary).toMatchObject({
      arena_hard_score: 61.5,
      arena_hard_ci_lower: 55.1,
      arena_hard_ci_upper: 67.2,
    });
  });

  it("names the first samples and an earlier iteration in the keys, on the mode's experiment", () => {
    const first = alpacaEvalFeedback({ name: "n", label: "first:tpo" }, [], new Map(), {
      win_rate: 1,
    } as never);
    expect([first.experiment, first.key, Object.keys(first.summary)[0]]).toEqual([
      "n-tpo",
      "alpaca_eval_first_samples_win",
      "alpaca_eval_first_samples_win_rate",
    ]);
    const earlier = arenaHardFeedback({ name: "n", label: "revision@iteration2" }, [], undefined);
    expect([earlier.experiment, earlier.key]).toEqual(["n-revision", "arena_hard_iteration2_win"]);
  });
});
