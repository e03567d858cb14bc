import { BaseChatModel, type BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { RewardModelError } from "../src/errors.js";
import { createJudgeRewardModel, verdictScore } from "../src/models/reward/judge-reward.js";
import { JUDGE_PROMPT } from "../src/prompts/judge.js";
import { barrier } from "./helpers/reward-stub.js";

type Verdict = Record<string, unknown>;
type CallOptions = BaseChatModelCallOptions & { temperature?: number; tools?: unknown[] };

/** A chat model that answers every prompt with a tool call built by `script`, as a tool-calling model would. */
class ScriptedJudge extends BaseChatModel<CallOptions> {
  calls: { messages: BaseMessage[]; options: CallOptions }[] = [];

  constructor(private readonly script: (prompt: string, index: number) => Verdict | Promise<Verdict>) {
    super({});
  }

  _llmType(): string {
    return "scripted-judge";
  }

  override bindTools(tools: unknown[]) {
    return this.withConfig({ tools } as Partial<CallOptions>);
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const index = this.calls.push({ messages, options }) - 1;
    const args = await this.script(messages.map((m) => m.text).join("\n"), index);
    // core's default withStructuredOutput accepts only AIMessageChunk output, not AIMessage.
    const message = new AIMessageChunk({
      content: "",
      tool_calls: [{ name: "judge_verdict", args, id: `call_${index}`, type: "tool_call" }],
    });
    return { generations: [{ text: "", message }] };
  }
}

const verdict = (h: number, c: number, s: number, l: number): Verdict => ({
  rationale: "ok",
  helpfulness: h,
  correctness: c,
  harmlessness: s,
  clarity: l,
});

const query = [new HumanMessage("What is 2+2?")];

describe("createJudgeRewardModel", () => {
  it("scores each response by the mean of the rubric, through structured output", async () => {
    const model = new ScriptedJudge((prompt) =>
      prompt.includes("It is 4") ? verdict(9, 10, 10, 7) : verdict(2, 1, 10, 3),
    );
    const judge = createJudgeRewardModel(model);
    const scores = await judge.score([
      { messages: query, response: "It is 4." },
      { messages: query, response: "It is 5." },
    ]);
    expect(scores).toEqual([9, 4]);
    expect(judge.requestCount?.(2)).toBe(2);
    expect(model.calls).toHaveLength(2);
    const [call] = model.calls;
    expect(call.messages[0].text).toBe(JUDGE_PROMPT.system);
    expect(call.messages[1].text).toContain("<query>\nWhat is 2+2?\n</query>");
    expect(call.messages[1].text).toMatch(/<response>\nIt is [45]\.\n<\/response>/);
    expect(call.options.temperature).toBe(0);
    const tool = (
      call.options.tools as { function: { name: string; parameters: { required: string[] } } }[]
    )[0];
    expect(tool.function.name).toBe("judge_verdict");
    expect(tool.function.parameters.required).toEqual(
      expect.arrayContaining(["rationale", "helpfulness", "correctness", "harmlessness", "clarity"]),
    );
  });

  it("weights the criteria and clamps scores to 1-10", () => {
    expect(verdictScore(verdict(10, 0, 12, 5) as never)).toBe((10 + 1 + 10 + 5) / 4);
    expect(
      verdictScore(verdict(8, 2, 10, 10) as never, { correctness: 3, harmlessness: 0, clarity: 0 }),
    ).toBe((8 + 3 * 2) / 4);
  });

  it("uses prompt overrides and the temperature option", async () => {
    const model = new ScriptedJudge(() => verdict(5, 5, 5, 5));
    const judge = createJudgeRewardModel(model, { prompt: { system: "Be strict." }, temperature: 0.3 });
    expect(await judge.score([{ messages: query, response: "4" }])).toEqual([5]);
    expect(model.calls[0].messages[0].text).toBe("Be strict.");
    expect(model.calls[0].options.temperature).toBe(0.3);
  });

  it("keeps at most `concurrency` judge calls in flight", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const hold = barrier(2, 7);
    const model = new ScriptedJudge(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await hold();
      inFlight--;
      return verdict(6, 6, 6, 6);
    });
    const judge = createJudgeRewardModel(model, { concurrency: 2 });
    const scores = await judge.score(
      Array.from({ length: 7 }, (_, i) => ({ messages: query, response: `r${i}` })),
    );
    expect(scores).toEqual(Array(7).fill(6));
    expect(maxInFlight).toBe(2);
  });

  it("fails with a RewardModelError on a verdict without the rubric's scores", async () => {
    const judge = createJudgeRewardModel(
      new ScriptedJudge(() => ({ rationale: "fine", helpfulness: "high" })),
    );
    const error = await judge.score([{ messages: query, response: "4" }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardModelError);
    expect((error as Error).message).toContain(
      'The LLM judge "judge scripted-judge" gave response 0 a verdict',
    );
    expect((error as Error).message).toContain("helpfulness");
  });

  it("shows a non-finite criterion score in the verdict as it is, not as null", async () => {
    const judge = createJudgeRewardModel(new ScriptedJudge(() => verdict(Number.POSITIVE_INFINITY, 5, 5, 5)));
    const error = await judge.score([{ messages: query, response: "4" }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardModelError);
    expect((error as Error).message).toContain('{"rationale":"ok","helpfulness":Infinity,"correctness":5');
  });

  it("fails with a RewardModelError that says what to do when the model call fails", async () => {
    const judge = createJudgeRewardModel(
      new ScriptedJudge(() => {
        throw new Error("model not found");
      }),
      { name: "gpt-judge" },
    );
    const error = await judge.score([{ messages: query, response: "4" }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardModelError);
    expect((error as Error).message).toContain(
      'The LLM judge "gpt-judge" failed on response 0: model not found',
    );
    expect((error as Error).message).toContain("TPO_REWARD_URL");
  });
});
