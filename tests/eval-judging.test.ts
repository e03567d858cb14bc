import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  preferenceFromLabel,
  preferenceFromTopLogprobs,
  unswitchedPreference,
} from "../src/eval/alpaca-eval/judge-preference.js";
import { alpacaEvalSwitches, pythonRandom } from "../src/eval/alpaca-eval/python-random.js";
import { verdictOf } from "../src/eval/arena-hard/verdict.js";
import { readJudgeTemplate } from "../src/cli/eval/judge-template.js";
import { answerMetadata } from "../src/eval/export/arena-hard.js";
import { gpt4oTokenCounter } from "../src/eval/arena-hard/token-length.js";
import { CliUsageError } from "../src/cli/errors.js";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { HumanMessage } from "@langchain/core/messages";
import { judgeLabels, judgeVerdict, MissingLogprobsError } from "../src/eval/leaderboard/judge-calls.js";
import { ALPACA_EVAL_LABELS } from "../src/prompts/leaderboard-judges.js";

const LABELS = ALPACA_EVAL_LABELS;

describe("AlpacaEval's weighted preference from top log-probabilities", () => {
  it("equals alpaca_eval's logprob_parser on its own docstring example", () => {
    // The completion in completion_parsers.py's comment: M at -0.017597131, m at -4.048847. Expected
    // value from the parser's formula in Python (2 - exp(lp_m - logsumexp([lp_m, lp_M]))).
    const top = [
      { token: "M", logprob: -0.017597131 },
      { token: "m", logprob: -4.048847 },
      { token: "Both", logprob: -14.908222 },
    ];
    expect(preferenceFromTopLogprobs(top, LABELS)).toBeCloseTo(1.9825575130186845, 14);
  });

  it("mirrors when the labels' log-probabilities swap, ignores other tokens and their order", () => {
    const top = [
      { token: "m", logprob: -0.3 },
      { token: "M", logprob: -1.4 },
    ];
    const swapped = [
      { token: "The", logprob: -9 },
      { token: "M", logprob: -0.3 },
      { token: "m", logprob: -1.4 },
    ];
    expect(preferenceFromTopLogprobs(top, LABELS)! + preferenceFromTopLogprobs(swapped, LABELS)!).toBeCloseTo(
      3,
      12,
    );
    expect(preferenceFromTopLogprobs(top, LABELS)).toBeLessThan(1.5);
  });

  it("gives a missing label probability 0, and null when neither label is there", () => {
    expect(preferenceFromTopLogprobs([{ token: "m", logprob: -2 }], LABELS)).toBe(1);
    expect(preferenceFromTopLogprobs([{ token: "M", logprob: -2 }], LABELS)).toBe(2);
    expect(preferenceFromTopLogprobs([{ token: "Both", logprob: -0.1 }], LABELS)).toBeNull();
  });

  it("reads the discrete judge's label exactly (m and M differ in case only)", () => {
    expect(preferenceFromLabel(" m\n", LABELS)).toBe(1);
    expect(preferenceFromLabel('"M"', LABELS)).toBe(2);
    expect(preferenceFromLabel("Model M", LABELS)).toBeNull();
  });

  it("undoes a switched order as alpaca_eval does (3 − p)", () => {
    expect(unswitchedPreference(1.2, true)).toBeCloseTo(1.8, 12);
    expect(unswitchedPreference(1.2, false)).toBe(1.2);
    expect(unswitchedPreference(null, true)).toBeNull();
  });
});

describe("alpaca_eval's order of the two outputs", () => {
  it("draws as CPython's random.Random(str) does", () => {
    // Pinned with CPython 3.11: r = random.Random(seed); [r.random() for _ in range(3)]
    const draws = (seed: string) => {
      const random = pythonRandom(seed);
      return [random(), random(), random()];
    };
    expect(draws("")).toEqual([0.9602256525641875, 0.595411957851699, 0.3880117152955401]);
    expect(draws("héllo wörld ✓".repeat(5))).toEqual([
      0.32974207089745333, 0.9460969835356285, 0.7430125489877804,
    ]);
    expect(draws("x".repeat(300))).toEqual([0.22742392778346976, 0.029232725307174356, 0.7817729566041761]);
  });

  it("switches the instructions that RandomSwitchTwoColumnsProcessor switches", () => {
    // CPython 3.11: random.Random("is_switched_outputs" + instruction + "0").choices([False, True])[0]
    const instructions = [
      "What is the capital of France?",
      "Write a poem.",
      "How do I brew green tea?",
      "a",
      "b",
      "c",
    ];
    expect(instructions.map((i) => alpacaEvalSwitches(i))).toEqual([false, false, true, true, true, false]);
  });
});

describe("Arena-Hard verdicts, as gen_judgment.py's get_score reads them", () => {
  it("takes the last double-bracket label, upper-cased", () => {
    expect(verdictOf("My own answer… Verdict: [[a>b]]")).toBe("A>B");
    expect(verdictOf("first [[A>>B]], on reflection [[B>A]]")).toBe("B>A");
  });

  it("falls back to single brackets, and only then", () => {
    expect(verdictOf("final: [A=B]")).toBe("A=B");
    expect(verdictOf("[B>>A] but [[A>B]]")).toBe("A>B");
  });

  it("has no verdict for text without one, or a label the scoring does not know", () => {
    expect(verdictOf("Both answers are fine.")).toBeNull();
    expect(verdictOf("[[A>B>]]")).toBeNull();
  });
});

describe("--judge-template", () => {
  const dir = mkdtempSync(join(tmpdir(), "tpo-judge-template-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads ChatML blocks as alpaca_eval writes them, and names the file with a digest", () => {
    const file = join(dir, "clf.txt");
    writeFileSync(
      file,
      "<|im_start|>system\nBe fair.\n<|im_end|>\n<|im_start|>user\n{instruction} {output_1} {output_2}\n<|im_end|>\n",
    );
    const prompt = readJudgeTemplate(file, ["instruction", "output_1", "output_2"]);
    expect(prompt.template).toEqual({ system: "Be fair.", user: "{instruction} {output_1} {output_2}" });
    expect(prompt.name).toMatch(/^file:clf\.txt#[0-9a-f]{12}$/);
  });

  it("takes plain text as the user message, and refuses one without the judge's placeholders", () => {
    const file = join(dir, "plain.txt");
    writeFileSync(file, "Q: {QUESTION}\nA: {ANSWER_A}\n");
    expect(() => readJudgeTemplate(file, ["QUESTION", "ANSWER_A", "ANSWER_B"])).toThrow(
      new CliUsageError(
        `--judge-template ${file} lacks the placeholder {ANSWER_B}: this judge fills {QUESTION}, {ANSWER_A}, {ANSWER_B}.`,
      ),
    );
  });
});

describe("tpo export arena-hard's metadata", () => {
  it("equals what arena-hard-auto's add_markdown_info.py wrote for its own answers", async () => {
    const countTokens = await gpt4oTokenCounter();
    const rows = readFileSync(
      join(__dirname, "fixtures", "arena-hard", "o3-mini-answers-with-metadata.jsonl"),
      "utf8",
    )
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { messages: { content: { answer: string } }[]; metadata: unknown });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(answerMetadata(row.messages.at(-1)!.content.answer, countTokens)).toEqual(row.metadata);
    }
  });
});

describe("the judges' requests", () => {
  const messages = [new HumanMessage("judge this")];

  it("asks the discrete judge again once when it writes neither label, then gives no preference", async () => {
    const again = await judgeLabels(
      new FakeListChatModel({ responses: ["Maybe", "M"] }),
      messages,
      "discrete",
      "fake",
    );
    expect(again).toMatchObject({ preference: 2, raw: "M", usage: { requests: 2 } });
    const never = await judgeLabels(
      new FakeListChatModel({ responses: ["Maybe", "Both"] }),
      messages,
      "discrete",
      "fake",
    );
    expect(never).toMatchObject({ preference: null, raw: "Both", usage: { requests: 2 } });
  });

  it("stops the weighted judge with a usage error when the model returns no log-probabilities", async () => {
    const model = new FakeListChatModel({ responses: ["m"] });
    await expect(judgeLabels(model, messages, "weighted", "fake at http://x/v1")).rejects.toThrow(
      MissingLogprobsError,
    );
    await expect(judgeLabels(model, messages, "weighted", "fake at http://x/v1")).rejects.toThrow(
      /the judge fake at http:\/\/x\/v1 returned no log-probabilities.*--discrete/,
    );
  });

  it("asks Arena-Hard's judge again once for a verdict, then records none", async () => {
    const again = await judgeVerdict(
      new FakeListChatModel({ responses: ["no idea", "so: [[B>A]]"] }),
      messages,
      100,
    );
    expect(again).toMatchObject({ score: "B>A", answer: "so: [[B>A]]", usage: { requests: 2 } });
    const never = await judgeVerdict(
      new FakeListChatModel({ responses: ["no idea", "still none"] }),
      messages,
      100,
    );
    expect(never).toMatchObject({ score: null, answer: "still none", usage: { requests: 2 } });
    const first = await judgeVerdict(new FakeListChatModel({ responses: ["[[A>>B]]"] }), messages, 100);
    expect(first.usage.requests).toBe(1);
  });
});
