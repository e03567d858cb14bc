import type { ChatGeneration } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { preferenceFromTopLogprobs } from "../src/eval/alpaca-eval/judge-preference.js";
import { verdictOf } from "../src/eval/arena-hard/verdict.js";
import {
  ALPACA_EVAL_JUDGE_PROMPT,
  ALPACA_EVAL_LABELS,
  ARENA_HARD_JUDGE_PROMPT,
} from "../src/prompts/leaderboard-judges.js";
import { fillTemplate, type PromptTemplate } from "../src/prompts/template.js";
import { handleChat, type HandlerContext } from "../src/sim/handlers.js";
import { SimChatModel } from "../src/sim/index.js";
import { aspectsOf } from "../src/sim/world.js";
import { judgeMessages } from "../src/eval/leaderboard/judge-calls.js";

const QUERY = "How do I keep basil alive on a windowsill?";
/** An answer that covers every hidden aspect of the query, and one that covers none. */
const GOOD = aspectsOf(QUERY)
  .map((a) => `Here is ${a.phrase}.`)
  .join(" ");
const POOR = "Water it.";

const ctx = (overrides: Partial<HandlerContext> = {}): HandlerContext => ({
  seed: 0,
  nextUnseeded: () => 1,
  ignoreN: false,
  emptyChoices: false,
  poolingPerToken: false,
  labels: 1,
  ...overrides,
});

function wire(template: PromptTemplate, values: Record<string, string>) {
  return [
    { role: "system", content: fillTemplate(template.system, values) },
    { role: "user", content: fillTemplate(template.user, values) },
  ];
}

type Choice = {
  message: { content: string };
  logprobs: { content: { token: string; top_logprobs: { token: string; logprob: number }[] }[] } | null;
};
const choiceOf = (result: ReturnType<typeof handleChat>) =>
  (result.body as { choices: Choice[] }).choices[0]!;

const alpacaMessages = (first: string, second: string) =>
  wire(ALPACA_EVAL_JUDGE_PROMPT, { instruction: QUERY, output_1: first, output_2: second });

describe("the simulated server as a leaderboard judge", () => {
  it("answers AlpacaEval's judge with a label and, when asked, its top log-probabilities", () => {
    const body = { model: "judge", messages: alpacaMessages(POOR, GOOD), logprobs: true, top_logprobs: 5 };
    const choice = choiceOf(handleChat(body, ctx()));
    expect(choice.message.content).toBe("M");
    const top = choice.logprobs!.content[0]!.top_logprobs;
    expect(top.map((t) => t.token).slice(0, 2)).toEqual(["M", "m"]);
    expect(preferenceFromTopLogprobs(top, ALPACA_EVAL_LABELS)).toBeGreaterThan(1.9);
    // deterministic, and the mirror order prefers the same answer
    expect(choiceOf(handleChat(body, ctx()))).toEqual(choice);
    const mirrored = choiceOf(handleChat({ ...body, messages: alpacaMessages(GOOD, POOR) }, ctx()));
    expect(
      preferenceFromTopLogprobs(mirrored.logprobs!.content[0]!.top_logprobs, ALPACA_EVAL_LABELS),
    ).toBeLessThan(1.1);
  });

  it("gives top_logprobs as many as asked, and none without logprobs or on a server without them", () => {
    const messages = alpacaMessages(POOR, GOOD);
    expect(
      choiceOf(handleChat({ messages, logprobs: true, top_logprobs: 2 }, ctx())).logprobs!.content[0]!
        .top_logprobs,
    ).toHaveLength(2);
    expect(choiceOf(handleChat({ messages }, ctx())).logprobs).toBeNull();
    expect(
      choiceOf(handleChat({ messages, logprobs: true, top_logprobs: 5 }, ctx({ noLogprobs: true }))).logprobs,
    ).toBeNull();
  });

  it("answers Arena-Hard's judge with a verdict that favours the better answer in both orders", () => {
    const verdict = (a: string, b: string) =>
      verdictOf(
        choiceOf(
          handleChat(
            { messages: wire(ARENA_HARD_JUDGE_PROMPT, { QUESTION: QUERY, ANSWER_A: a, ANSWER_B: b }) },
            ctx(),
          ),
        ).message.content,
      );
    expect(verdict(GOOD, POOR)).toMatch(/^A>/);
    expect(verdict(POOR, GOOD)).toMatch(/^B>/);
  });

  it("reads the official templates' layouts too", () => {
    const official = (user: string) =>
      choiceOf(handleChat({ messages: [{ role: "user", content: user }] }, ctx())).message.content;
    const arena =
      `<|User Prompt|>\n${QUERY}\n\n<|The Start of Assistant A's Answer|>\n${POOR}\n<|The End of Assistant A's Answer|>\n\n` +
      `<|The Start of Assistant B's Answer|>\n${GOOD}\n<|The End of Assistant B's Answer|>`;
    expect(verdictOf(official(arena))).toMatch(/^B>/);
    const alpaca =
      `{\n    "instruction": """${QUERY}""",\n}\n\n{\n    {\n        "model_identifier": "m",\n        "output": """${GOOD}"""\n    },\n` +
      `    {\n        "model_identifier": "M",\n        "output": """${POOR}"""\n    }\n}`;
    expect(official(alpaca)).toBe("m");
  });

  it("in process gives what the HTTP server gives", async () => {
    const model = new SimChatModel({ topLogprobs: 5 });
    const messages = judgeMessages(ALPACA_EVAL_JUDGE_PROMPT, {
      instruction: QUERY,
      output_1: POOR,
      output_2: GOOD,
    });
    const result = await model.generate([messages]);
    const generation = result.generations[0]![0] as ChatGeneration;
    const http = choiceOf(
      handleChat({ messages: alpacaMessages(POOR, GOOD), logprobs: true, top_logprobs: 5 }, ctx()),
    );
    expect(generation.text).toBe(http.message.content);
    expect(generation.generationInfo?.logprobs).toEqual(http.logprobs);
  });
});
