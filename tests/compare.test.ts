import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TpoMode } from "../src/settings/run-settings.js";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { bootstrapInterval } from "../src/eval/compare/bootstrap.js";
import { createPairwiseJudge, InvalidVerdictError } from "../src/eval/compare/judge.js";
import { describeJudge, judgeSettings } from "../src/cli/compare/judge-settings.js";
import {
  judgePair,
  outcomeOf,
  RATIONALE_MAX_CHARS,
  winnerOf,
  type Judgment,
  type Outcome,
} from "../src/eval/compare/judgment.js";
import { matchPairs } from "../src/eval/compare/pairs.js";
import { answersOf, firstSample, parseSide, resolveSide } from "../src/eval/compare/sides.js";
import { extremeChangeWarning, summarizeJudgments } from "../src/eval/compare/summary.js";
import { formatCompare } from "../src/cli/compare/summary-text.js";
import { CliUsageError } from "../src/cli/errors.js";
import { ModelRequestError } from "../src/errors.js";
import { promptMessages } from "../src/prompts/messages.js";
import { PAIRWISE_PROMPT } from "../src/prompts/pairwise.js";
import { SimChatModel } from "../src/sim/index.js";
import { ROOT } from "./helpers/cli.js";
import { expectConsistent, expectMirrored } from "./helpers/compare.js";
import { SIM_PAIRWISE, simPairwiseJudge } from "../src/sim/judge.js";
import { aspectsOf, simReward, wordCount } from "../src/sim/world.js";
import { PairwiseVerdictSchema } from "../src/eval/compare/judge.js";

/** Judgments with the given outcomes, ids p00, p01, … */
function judgments(outcomes: Outcome[], a = "tpo", b = "bon"): Judgment[] {
  return outcomes.map((outcome, i) => ({
    id: `p${String(i).padStart(2, "0")}`,
    a,
    b,
    outcome,
    games: [
      { shownFirst: "a", verdict: "tie", winner: outcome, rationale: "" },
      { shownFirst: "b", verdict: "tie", winner: outcome, rationale: "" },
    ],
    lengths: { a: 100 + i, b: 50 },
    answers: { a: `a${i}`, b: `b${i}` },
    judgeRequests: 2,
    judge: { model: "tpo-sim", backend: "sim" },
    finishedAt: "2025-01-01T00:00:00.000Z",
  }));
}

const MIRROR: Record<Outcome, Outcome> = { a: "b", b: "a", tie: "tie" };

function mirrored(list: Judgment[]): Judgment[] {
  return list.map((j) => ({
    ...j,
    a: j.b,
    b: j.a,
    outcome: MIRROR[j.outcome],
    lengths: { a: j.lengths.b, b: j.lengths.a },
    answers: { a: j.answers.b, b: j.answers.a },
  }));
}

/** Outcomes drawn from a fixed sequence: mostly a, some ties and losses. */
function someOutcomes(n: number): Outcome[] {
  return Array.from({ length: n }, (_, i) => (i % 7 === 3 ? "b" : i % 4 === 1 ? "tie" : "a"));
}

describe("a pair's outcome", () => {
  it("maps a positional verdict to the side shown in that position", () => {
    expect(winnerOf("a", "A")).toBe("a");
    expect(winnerOf("a", "B")).toBe("b");
    expect(winnerOf("b", "A")).toBe("b");
    expect(winnerOf("b", "B")).toBe("a");
    expect(winnerOf("b", "tie")).toBe("tie");
  });

  it("is the side both orders agree on, and a tie when they disagree", () => {
    const game = (shownFirst: "a" | "b", winner: Outcome) => ({
      shownFirst,
      verdict: "A" as const,
      winner,
      rationale: "",
    });
    expect(outcomeOf([game("a", "a"), game("b", "a")])).toBe("a");
    expect(outcomeOf([game("a", "b"), game("b", "b")])).toBe("b");
    // Position bias: each order favours the response shown first.
    expect(outcomeOf([game("a", "a"), game("b", "b")])).toBe("tie");
    expect(outcomeOf([game("a", "a"), game("b", "tie")])).toBe("tie");
  });
});

describe("a judged pair's rationales", () => {
  async function storedRationales(...rationales: string[]): Promise<string[]> {
    const judge = {
      judge: async () => ({
        rationale: rationales.shift()!,
        verdict: "A" as const,
        requests: 1,
        tokens: { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 },
      }),
    };
    const pair = { id: "p", query: "q", a: "x", b: "y" };
    const judgment = await judgePair(judge, pair, { a: "A", b: "B", judge: { model: "j" } });
    return judgment.games.map((g) => g.rationale);
  }

  it("keeps one of RATIONALE_MAX_CHARS characters whole and cuts a longer one to that many, its end marked", async () => {
    const [whole, cut] = await storedRationales(
      "w".repeat(RATIONALE_MAX_CHARS),
      "c".repeat(RATIONALE_MAX_CHARS + 1),
    );
    expect(whole).toBe("w".repeat(RATIONALE_MAX_CHARS));
    expect(cut).toBe(`${"c".repeat(RATIONALE_MAX_CHARS - 1)}…`);
  });

  it("never cuts between the two halves of a character outside the BMP", async () => {
    const emojiAtCut = `${"a".repeat(RATIONALE_MAX_CHARS - 2)}😀tail`;
    const emojiBefore = `${"a".repeat(RATIONALE_MAX_CHARS - 3)}😀tail`;
    const [dropped, kept] = await storedRationales(emojiAtCut, emojiBefore);
    expect(dropped).toBe(`${"a".repeat(RATIONALE_MAX_CHARS - 2)}…`);
    expect(kept).toBe(`${"a".repeat(RATIONALE_MAX_CHARS - 3)}😀…`);
  });
});

describe("a judged pair's lengths", () => {
  it("counts characters as Python's len() and alpaca_eval do: code points, an emoji as one", async () => {
    const tokens = { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 };
    const judge = { judge: async () => ({ rationale: "", verdict: "A" as const, requests: 1, tokens }) };
    const pair = { id: "p", query: "q", a: "a😀b", b: "xy" };
    const judgment = await judgePair(judge, pair, { a: "A", b: "B", judge: { model: "j" } });
    expect(judgment.lengths).toEqual({ a: 3, b: 2 });
  });
});

describe("the length-controlled win rate beside the raw one", () => {
  // A test set of tests/fixtures/alpaca-eval-scoring/minimal-lc*.json, with its value from the
  // official method (scikit-learn's liblinear run to its optimum): a 1, a tie 0.5, b 0.
  const reference = (
    JSON.parse(
      readFileSync(join(ROOT, "tests/fixtures/alpaca-eval-scoring/minimal-lc-tol-1e-10.json"), "utf8"),
    ) as Record<
      string,
      { pairs: { a: number; b: number; preference: number }[]; length_controlled_winrate: number }
    >
  )["longer-wins"]!;
  const OUTCOME_OF = new Map<number, Outcome>([
    [1, "a"],
    [0.5, "tie"],
    [0, "b"],
  ]);
  const judged = (): Judgment[] =>
    judgments(reference.pairs.map((p) => OUTCOME_OF.get(p.preference)!)).map((j, i) => ({
      ...j,
      lengths: { a: reference.pairs[i]!.a, b: reference.pairs[i]!.b },
    }));

  it("is alpaca_eval's length_controlled_minimal GLM on the pairs, a as the model and b as the baseline", () => {
    const summary = summarizeJudgments(judged());
    expect(summary.winRate).toBeCloseTo(0.4583333, 6);
    expect(summary.lengthControlled).toMatchObject({ glm: "length_controlled_minimal" });
    expect(100 * summary.lengthControlled!.winRate).toBeCloseTo(reference.length_controlled_winrate, 6);
  });

  it("mirrors when the sides swap", () => {
    const ab = summarizeJudgments(judged());
    expect(ab.lengthControlled).not.toBeNull();
    expectMirrored(ab, summarizeJudgments(mirrored(judged())));
  });

  it("is shown beside the raw rate, labelled, and '-' with a reason when it cannot be fitted", () => {
    const text = formatCompare(summarizeJudgments(judged()), { judge: "j", simulated: false });
    expect(text).toMatch(
      /^a\s+b\s+pairs\s+wins\s+losses\s+ties\s+win rate\s+95% CI\s+LC win rate\s+length a/m,
    );
    expect(text).toMatch(/^tpo\s+bon\s+60\s+\d+\s+\d+\s+\d+\s+45\.8%\s+[\d.]+% – [\d.]+%\s+48\.6%\s/m);
    expect(text).toContain(
      "LC win rate: the win rate at equal lengths, by alpaca_eval's length_controlled_minimal GLM",
    );
    expect(text).not.toContain("No LC win rate");
    const few = formatCompare(summarizeJudgments(judgments(["a", "a", "b", "tie"])), {
      judge: "j",
      simulated: false,
    });
    expect(few).toMatch(/^tpo\s+bon\s+4\s.*%\s+-\s+\d+\s+\d+$/m);
    expect(few).toContain("No LC win rate: its GLM needs 5 pairs or more whose length differences vary.");
  });

  it("warns as alpaca_eval does when the LC rate is far from the raw one", () => {
    const summary = summarizeJudgments(judged());
    const far = {
      ...summary,
      winRate: 0.2,
      lengthControlled: { ...summary.lengthControlled!, winRate: 0.099 },
    };
    expect(extremeChangeWarning(far)).toBe(
      "The LC win rate (9.9%) is very different from the raw one (20.0%): alpaca_eval warns that the GLM may have failed.",
    );
    expect(formatCompare(far, { judge: "j", simulated: false })).toContain(extremeChangeWarning(far)!);
    expect(
      extremeChangeWarning({ ...far, lengthControlled: { ...far.lengthControlled, winRate: 0.101 } }),
    ).toBeNull();
  });
});

describe("the win rate and its bootstrap interval", () => {
  it("counts wins, losses and ties, a tie as half a win", () => {
    const summary = summarizeJudgments(judgments(["a", "a", "a", "b", "tie"]));
    expect(summary).toMatchObject({
      a: "tpo",
      b: "bon",
      n: 5,
      wins: 3,
      losses: 1,
      ties: 1,
      judgeRequests: 10,
    });
    expect(summary.winRate).toBeCloseTo(3.5 / 5, 12);
    expect(summary.lengths).toEqual({ a: 102, b: 50 });
  });

  it("holds the estimate, and is the same every time (seeded)", () => {
    for (const n of [1, 2, 5, 30, 200]) {
      const summary = summarizeJudgments(judgments(someOutcomes(n)));
      expectConsistent(summary);
      expect(summarizeJudgments(judgments(someOutcomes(n))).ci95).toEqual(summary.ci95);
    }
    const wide = summarizeJudgments(judgments(someOutcomes(30))).ci95;
    const narrow = summarizeJudgments(judgments(someOutcomes(200))).ci95;
    expect(narrow[1] - narrow[0]).toBeLessThan(wide[1] - wide[0]);
  });

  it("mirrors exactly when the sides swap: wins and losses trade, the interval flips", () => {
    for (const n of [3, 17, 64]) {
      const list = judgments(someOutcomes(n));
      const ab = summarizeJudgments(list);
      const ba = summarizeJudgments(mirrored(list));
      expectMirrored(ab, ba);
      // The ends are order statistics of integer sums: their half points mirror exactly.
      expect(ba.ci95[0] * 2 * n).toBe(2 * n - ab.ci95[1] * 2 * n);
      expect(ba.ci95[1] * 2 * n).toBe(2 * n - ab.ci95[0] * 2 * n);
    }
  });

  it("does not depend on the order in which the judgments finished", () => {
    const list = judgments(someOutcomes(25));
    expect(summarizeJudgments([...list].reverse())).toEqual(summarizeJudgments(list));
  });

  it("resamples the same indices for the same number of pairs", () => {
    const points = [2, 0, 1, 2, 2, 0, 1];
    const flipped = points.map((p) => 2 - p);
    const [lo, hi] = bootstrapInterval(points);
    const [mlo, mhi] = bootstrapInterval(flipped);
    expect(mlo).toBeCloseTo(1 - hi, 12);
    expect(mhi).toBeCloseTo(1 - lo, 12);
  });
});

function record(
  id: string,
  mode: "tpo" | "bon",
  query: string,
  best: string,
  pool: [string, number][],
): BatchRecord {
  return {
    id,
    mode,
    query,
    best: { text: best, score: 1, iteration: 0 },
    history: [],
    pool: pool.map(([text, iteration], i) => ({
      id: `${id}-${i}`,
      text,
      score: 0,
      iteration,
      origin: iteration === 0 ? "sample" : "update",
    })),
    usage: {
      modelRequests: 1,
      promptTokens: 0,
      completionTokens: 0,
      rewardRequests: 1,
      cachedPromptTokens: 0,
      nodeMs: {},
    },
    settings: {} as BatchRecord["settings"],
    elapsedMs: 1,
    finishedAt: "2025-01-01T00:00:00.000Z",
  };
}

describe("the sides of a comparison", () => {
  it("reads a mode, first, and first:<mode>", () => {
    expect(parseSide("--a", "bon")).toEqual({ mode: "bon", first: false });
    expect(parseSide("--a", "first")).toEqual({ mode: null, first: true });
    expect(parseSide("--a", "first:revision")).toEqual({ mode: "revision", first: true });
    expect(() => parseSide("--b", "best")).toThrow(/--b must be a mode \(tpo, revision, bon\) or first/);
  });

  it("gives bare first the other side's mode (its own first sample), else the file's only mode", () => {
    const where = { flag: "--b", file: "r.jsonl" };
    const first = parseSide("--b", "first");
    const ofModes = (...modes: TpoMode[]) => modes.map((mode) => ({ mode }));
    expect(resolveSide(first, parseSide("--a", "bon"), ofModes("tpo", "bon"), where)).toEqual({
      mode: "bon",
      first: true,
    });
    expect(resolveSide(first, first, ofModes("tpo"), where)).toEqual({ mode: "tpo", first: true });
    expect(() => resolveSide(first, first, ofModes("tpo", "bon"), where)).toThrow(
      /--b first: say whose first sample, first:tpo or first:bon \(r.jsonl has tpo, bon\)/,
    );
    expect(() =>
      resolveSide(parseSide("--b", "revision"), first, ofModes("bon", "tpo", "bon"), where),
    ).toThrow(/r.jsonl has no records of mode revision \(it has tpo, bon\)/);
  });

  it("takes as first sample the first candidate of iteration 0 in pool order", () => {
    const r = record("q1", "tpo", "Q", "best", [
      ["update text", 1],
      ["sample one", 0],
      ["sample two", 0],
    ]);
    expect(firstSample(r)).toBe("sample one");
    const answers = answersOf([r], { mode: "tpo", first: true });
    expect(answers.get("q1")?.text).toBe("sample one");
    expect(answersOf([r], { mode: "tpo", first: false }).get("q1")?.text).toBe("best");
  });

  it("pairs answers by query id and reports the ids on one side only", () => {
    const tpo = [
      record("b", "tpo", "QB", "tb", []),
      record("a", "tpo", "QA", "ta", []),
      record("c", "tpo", "QC", "tc", []),
    ];
    const bon = [
      record("a", "bon", "QA", "ba", []),
      record("b", "bon", "QB", "bb", []),
      record("d", "bon", "QD", "bd", []),
    ];
    const matching = matchPairs(
      answersOf(tpo, { mode: "tpo", first: false }),
      answersOf(bon, { mode: "bon", first: false }),
    );
    expect(matching.pairs).toEqual([
      { id: "a", query: "QA", a: "ta", b: "ba" },
      { id: "b", query: "QB", a: "tb", b: "bb" },
    ]);
    expect(matching.onlyA).toEqual(["c"]);
    expect(matching.onlyB).toEqual(["d"]);
  });
});

describe("the judge's settings", () => {
  const recorded = { backend: "sim" };

  it("defaults to the policy's settings, and to the simulated world when the results are simulated", () => {
    expect(judgeSettings({}, recorded, {})).toEqual({ backend: "sim", maxTokens: 1024 });
    expect(judgeSettings({}, undefined, { TPO_BACKEND: "sim" })).toEqual({ backend: "sim", maxTokens: 1024 });
    expect(
      judgeSettings({}, recorded, {
        OPENAI_BASE_URL: "http://vllm/v1",
        TPO_MODEL: "llama",
        OPENAI_API_KEY: "k",
      }),
    ).toMatchObject({ backend: "openai", model: "llama", baseUrl: "http://vllm/v1", apiKey: "k" });
    // A server the user named takes the model that the results record.
    expect(
      judgeSettings({ judgeBaseUrl: "http://vllm/v1" }, { model: "llama", baseUrl: "http://vllm/v1" }, {}),
    ).toMatchObject({ backend: "openai", model: "llama", baseUrl: "http://vllm/v1" });
  });

  it("refuses TPO_BACKEND=sim next to the policy's server, which the judge would otherwise silently ignore", () => {
    const env = { TPO_BACKEND: "sim", OPENAI_BASE_URL: "http://vllm/v1", TPO_MODEL: "llama" };
    expect(() => judgeSettings({}, recorded, env)).toThrow(
      /OPENAI_BASE_URL and TPO_MODEL .*unset TPO_BACKEND/,
    );
  });

  it("never takes the judge's server from the results: a file alone names none, whatever the environment holds", () => {
    const file = { backend: "openai", model: "llama", baseUrl: "http://collector.example/v1" };
    for (const env of [{}, { OPENAI_API_KEY: "k" }, { TPO_BACKEND: "openai", OPENAI_API_KEY: "k" }]) {
      expect(() => judgeSettings({}, file, env, "results.jsonl")).toThrow(CliUsageError);
      expect(() => judgeSettings({}, file, env, "results.jsonl")).toThrow(
        /never sends requests to a server named in a file: results\.jsonl was made with llama at http:\/\/collector\.example\/v1; .*--judge-base-url/,
      );
      expect(() => judgeSettings({}, { model: "gpt-4o" }, env)).toThrow(/--judge-base-url/);
    }
  });

  it("bounds the judge's output: 1024 tokens unless --judge-max-tokens says otherwise", () => {
    const env = { TPO_JUDGE_MODEL: "m", TPO_JUDGE_BASE_URL: "http://judge/v1" };
    expect(judgeSettings({}, undefined, env)).toMatchObject({ maxTokens: 1024 });
    expect(judgeSettings({ judgeMaxTokens: "300" }, undefined, env)).toMatchObject({ maxTokens: 300 });
    expect(() => judgeSettings({ judgeMaxTokens: "0" }, undefined, env)).toThrow(/--judge-max-tokens/);
  });

  it("records the judge's server without its credentials", () => {
    const settings = judgeSettings(
      { judgeModel: "m", judgeBaseUrl: "http://u:secret@judge/v1" },
      undefined,
      {},
    );
    expect(describeJudge(settings)).toEqual({ model: "m", baseUrl: "http://u:***@judge/v1" });
  });

  it("takes --judge-* flags over TPO_JUDGE_* variables over the policy, and keeps the policy's key at home", () => {
    const env = {
      TPO_JUDGE_MODEL: "env-judge",
      OPENAI_BASE_URL: "http://policy/v1",
      OPENAI_API_KEY: "policy-key",
    };
    expect(judgeSettings({}, recorded, env)).toMatchObject({
      model: "env-judge",
      baseUrl: "http://policy/v1",
      apiKey: "policy-key",
    });
    const flags = { judgeModel: "gpt-4o", judgeBaseUrl: "https://api.openai.com/v1" };
    const settings = judgeSettings(flags, recorded, env);
    expect(settings).toMatchObject({
      backend: "openai",
      model: "gpt-4o",
      baseUrl: "https://api.openai.com/v1",
    });
    expect(settings).not.toHaveProperty("apiKey", "policy-key");
    expect(judgeSettings({ ...flags, judgeApiKey: "judge-key" }, recorded, env)).toMatchObject({
      apiKey: "judge-key",
    });
  });

  it("says how to configure a judge when nothing names one", () => {
    expect(() => judgeSettings({}, {}, {})).toThrow(CliUsageError);
    expect(() => judgeSettings({}, {}, {})).toThrow(/--judge-model/);
  });
});

/** A chat model whose structured output answers from a list, recording each request. */
/** Each answer's message reports 10 prompt tokens (4 of them cached) and 5 completion tokens. */
const ANSWER_USAGE = {
  input_tokens: 10,
  output_tokens: 5,
  total_tokens: 15,
  input_token_details: { cache_read: 4 },
};

/** A judge model whose structured output (with the raw message) answers from a script; an Error is thrown. */
function scriptedJudge(answers: unknown[]): { model: BaseChatModel; requests: number } {
  const state = { requests: 0 };
  const model = {
    withStructuredOutput: () => ({
      invoke: async () => {
        state.requests++;
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return { raw: { usage_metadata: ANSWER_USAGE }, parsed: answer };
      },
    }),
  } as unknown as BaseChatModel;
  return {
    model,
    get requests() {
      return state.requests;
    },
  };
}

describe("the judge's cost", () => {
  // Each order: 1 000 prompt tokens (400 cached) and 100 completion tokens, in 1 request.
  const tokens = { promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 100 };
  const judge = { judge: async () => ({ rationale: "r", verdict: "A" as const, requests: 1, tokens }) };
  const pair = { id: "p", query: "q", a: "x", b: "y" };
  const sides = { a: "tpo", b: "bon", judge: { model: "j" } };

  it("is each order's tokens at the judge's price, cached input at its own, to the cent", async () => {
    const price = {
      inputPerToken: 2.5e-6,
      cachedInputPerToken: 1.25e-6,
      outputPerToken: 1e-5,
      perRequest: 0,
    };
    // One order: 600 × $2.50/M + 400 × $1.25/M + 100 × $10/M = $0.0015 + $0.0005 + $0.001 = $0.003.
    const judgment = await judgePair(judge, pair, sides, price);
    expect(judgment.judgeCostUsd).toBeCloseTo(0.006, 12);
    const summary = summarizeJudgments([judgment, { ...judgment, id: "q" }]);
    expect(summary.judgeCostUsd).toBeCloseTo(0.012, 12);
    expect(formatCompare(summary, { judge: "j", simulated: false })).toContain(
      "Judge: j, 4 requests, $0.0120.",
    );
  });

  it("is absent without a price, and so is the money in the summary", async () => {
    const judgment = await judgePair(judge, pair, sides);
    expect(judgment.judgeCostUsd).toBeUndefined();
    const summary = summarizeJudgments([judgment]);
    expect(summary.judgeCostUsd).toBeUndefined();
    expect(formatCompare(summary, { judge: "j", simulated: false })).toContain("Judge: j, 2 requests.");
  });
});

describe("the pairwise judge", () => {
  it("asks again after an invalid verdict, and counts its requests and the tokens of those answered", async () => {
    const fake = scriptedJudge([
      { rationale: "r", verdict: "C" },
      new Error("No tool calls found"),
      { rationale: "r", verdict: "B" },
    ]);
    const judge = createPairwiseJudge(fake.model, { name: "fake", maxRetries: 3 });
    expect(await judge.judge("q", "x", "y")).toEqual({
      rationale: "r",
      verdict: "B",
      requests: 3,
      tokens: { promptTokens: 20, cachedPromptTokens: 8, completionTokens: 10 },
    });
  });

  it("fails with the last reason once its retries are spent", async () => {
    const fake = scriptedJudge([{ verdict: "C" }, { verdict: "C" }, { rationale: "r", verdict: "better" }]);
    const judge = createPairwiseJudge(fake.model, { name: "fake", maxRetries: 2 });
    const failure = judge.judge("q", "x", "y");
    await expect(failure).rejects.toBeInstanceOf(InvalidVerdictError);
    await expect(failure).rejects.toThrow(
      /the judge fake gave no valid verdict \(A, B or tie\) in 3 attempts: .*better/,
    );
    expect(fake.requests).toBe(3);
  });

  it("asks again after an answer whose body is not JSON, as after an invalid verdict", async () => {
    const unreadable = new ModelRequestError(
      "Model request to x failed after 1 attempt: the response body is not valid JSON (Unexpected end of JSON input).",
      "x",
      undefined,
      1,
      { cause: new SyntaxError("Unexpected end of JSON input") },
    );
    const fake = scriptedJudge([unreadable, { rationale: "r", verdict: "A" }]);
    const judge = createPairwiseJudge(fake.model, { name: "fake", maxRetries: 3 });
    expect(await judge.judge("q", "x", "y")).toMatchObject({ rationale: "r", verdict: "A", requests: 2 });
  });

  it("does not ask again after a failed request: the client has retried it", async () => {
    const fake = scriptedJudge([
      new ModelRequestError("Model request to x failed after 4 attempts", "x", 503, 4),
    ]);
    const judge = createPairwiseJudge(fake.model, { name: "fake", maxRetries: 3 });
    await expect(judge.judge("q", "x", "y")).rejects.toBeInstanceOf(ModelRequestError);
    expect(fake.requests).toBe(1);
  });
});

describe("the simulated pairwise judge", () => {
  const query = "How do I take care of a wooden table?";
  const aspects = aspectsOf(query).map((a) => a.phrase);
  const poor = "A plain answer.";
  const good = aspects.slice(0, 4).join(". ");

  const verdict = (first: string, second: string) =>
    simPairwiseJudge(
      promptMessages(PAIRWISE_PROMPT, { query, response_a: first, response_b: second })
        .map((m) => m.text)
        .join("\n\n"),
      0,
    );

  it("prefers the response of higher hidden quality, in either position", () => {
    expect(simReward(query, good) - simReward(query, poor)).toBeGreaterThan(SIM_PAIRWISE.positionBiasBelow);
    expect(verdict(good, poor)?.verdict).toBe("A");
    expect(verdict(poor, good)?.verdict).toBe("B");
    expect(verdict(good, good)?.verdict).toBe("tie");
  });

  it("favours the response shown first in close calls, so that the two orders disagree", () => {
    // 30 words past the length budget: a small penalty.
    const padded = `${good} ${Array.from({ length: 110 - wordCount(good) + 30 }, () => "more").join(" ")}`;
    const close = [good, padded];
    const gap = Math.abs(simReward(query, close[0]) - simReward(query, close[1]));
    expect(gap).toBeGreaterThanOrEqual(SIM_PAIRWISE.tieBelow);
    expect(gap).toBeLessThan(SIM_PAIRWISE.positionBiasBelow);
    expect(verdict(close[0], close[1])?.verdict).toBe("A");
    expect(verdict(close[1], close[0])?.verdict).toBe("A");
  });

  it("answers in process through structured output, as the simulated server does over HTTP", async () => {
    const structured = new SimChatModel().withStructuredOutput(PairwiseVerdictSchema, {
      name: "pairwise_verdict",
    });
    const answer = await structured.invoke(
      promptMessages(PAIRWISE_PROMPT, { query, response_a: poor, response_b: good }),
    );
    expect(answer.verdict).toBe("B");
  });
});
