import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RunnableConfig } from "@langchain/core/runnables";
import { z } from "zod";
import { RewardModelError, TpoConfigError } from "../../errors.js";
import { promptMessages } from "../../prompts/messages.js";
import { queryText } from "../../messages/conversation.js";
import { JUDGE_CRITERIA, JUDGE_PROMPT } from "../../prompts/judge.js";
import type { PromptTemplate } from "../../prompts/template.js";
import { mapWithConcurrency } from "../../util/map-with-concurrency.js";
import { zodIssues } from "../../util/zod-issues.js";
import { describeValue, type RewardItem, type RewardModel } from "./reward-model.js";
import { routingKeyOf } from "../pool/routing-key.js";

export type JudgeCriterion = (typeof JUDGE_CRITERIA)[number];

const score = (criterion: string) =>
  z.number().describe(`The ${criterion} score, an integer from 1 (very poor) to 10 (excellent).`);

/** The judge's verdict. The range is in the descriptions, not the schema, so that every server's structured output accepts it. */
export const JudgeVerdictSchema = z
  .object({
    rationale: z.string().describe("Two or three sentences on the response's main strengths and weaknesses."),
    helpfulness: score("helpfulness"),
    correctness: score("correctness"),
    harmlessness: score("harmlessness"),
    clarity: score("clarity"),
  })
  .describe("A verdict on one response: a short rationale, then a 1-10 score per criterion.");

export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

export interface JudgeRewardModelOptions {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Weight of each criterion in the score (default 1 each); the score is the weighted mean, 1-10. */
  weights?: Partial<Record<JudgeCriterion, number>>;
  /** Overrides of the prompt template; `{query}` and `{response}` are filled in. */
  prompt?: Partial<PromptTemplate>;
  /**
   * Temperature of the judge's requests (default 0), passed as a call option: models that read the
   * sampling call options honour it; a plain ChatOpenAI keeps the temperature it was built with.
   */
  temperature?: number;
  /** How the chat model produces structured output (default: the model's own choice). */
  method?: "functionCalling" | "jsonSchema" | "jsonMode";
  name?: string;
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.+$/, "");
}

/** The weighted mean of the criteria, each clamped to 1-10 (a judge may overshoot the scale). */
export function verdictScore(
  verdict: JudgeVerdict,
  weights: Partial<Record<JudgeCriterion, number>> = {},
): number {
  let total = 0;
  let weightSum = 0;
  for (const criterion of JUDGE_CRITERIA) {
    const weight = weights[criterion] ?? 1;
    total += weight * Math.min(10, Math.max(1, verdict[criterion]));
    weightSum += weight;
  }
  return weightSum > 0 ? total / weightSum : 0;
}

/**
 * An LLM judge as reward model: the chat model rates each response on helpfulness, correctness,
 * harmlessness and clarity through structured output, and the score is their weighted mean (1-10).
 * For users without a reward-model server. The paper used a trained reward model; LLM judges
 * are known to favour longer answers. One request per response, up to `concurrency` at once.
 */
export function createJudgeRewardModel(
  chatModel: BaseChatModel,
  options: JudgeRewardModelOptions = {},
): RewardModel {
  const name = options.name ?? `judge ${chatModel._llmType()}`;
  const template = { ...JUDGE_PROMPT, ...options.prompt };
  const structured = () =>
    chatModel.withStructuredOutput(JudgeVerdictSchema, {
      name: "judge_verdict",
      ...(options.method ? { method: options.method } : {}),
    });
  let judge: ReturnType<typeof structured>;
  try {
    judge = structured();
  } catch (error) {
    throw new TpoConfigError(
      `The LLM judge needs a chat model with structured output, and "${chatModel._llmType()}" has none ` +
        `(${reasonOf(error)}). Use a model that supports tool calling ` +
        `or JSON schema output, or a reward-model server (TPO_REWARD_URL and TPO_REWARD_KIND).`,
      { cause: error },
    );
  }
  const temperature = options.temperature ?? 0;
  const takesRoutingKey = chatModel.callKeys.includes("routingKey");

  async function judgeOne(item: RewardItem, index: number, config: RunnableConfig): Promise<number> {
    const messages = promptMessages(template, { query: queryText(item.messages), response: item.response });
    let raw: unknown;
    try {
      const key = takesRoutingKey ? routingKeyOf(config) : undefined;
      const options: Record<string, unknown> = { ...config, temperature };
      if (key !== undefined) options.routingKey = key;
      raw = await judge.invoke(messages, options as RunnableConfig);
    } catch (error) {
      if (config.signal?.aborted) throw error;
      const schema = zodIssues(error);
      if (schema !== null) {
        throw new RewardModelError(
          `The LLM judge "${name}" gave response ${index} a verdict that does not fit the rubric (${schema}). ` +
            `A model that follows structured output poorly may do better with the judge's method option, or use a reward-model server (TPO_REWARD_URL).`,
          { cause: error },
        );
      }
      throw new RewardModelError(
        `The LLM judge "${name}" failed on response ${index}: ${reasonOf(error)}. ` +
          `If the model cannot produce structured output, set the judge's method option or use a reward-model server (TPO_REWARD_URL).`,
        { cause: error },
      );
    }
    const verdict = JudgeVerdictSchema.safeParse(raw);
    if (!verdict.success) {
      throw new RewardModelError(
        `The LLM judge "${name}" gave response ${index} a verdict without the rubric's scores: ` +
          `${describeValue(raw)} (${verdict.error.issues[0]?.path.join(".")}: ${verdict.error.issues[0]?.message}).`,
      );
    }
    return verdictScore(verdict.data, options.weights);
  }

  return {
    name,
    requestCount: (items) => items,
    async score(items: RewardItem[], config: RunnableConfig = {}): Promise<number[]> {
      const tagged = { ...config, tags: [...(config.tags ?? []), "tpo:judge"] };
      return mapWithConcurrency(
        items,
        options.concurrency ?? 4,
        (item, index, signal) => judgeOne(item, index, { ...tagged, signal }),
        config.signal,
      );
    },
  };
}
