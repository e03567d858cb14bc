import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { TpoContext } from "../graph/context.js";
import { criticSamplingOf, promptMessages, stageConfig } from "../graph/node-kit.js";
import type { Usage } from "../graph/state.js";
import { completeOnce } from "../models/sampling.js";
import type { PromptTemplate } from "../prompts/index.js";

/** One request of the critique or gradient step, with the critic's own sampling settings. */
export function askCritic(
  critic: BaseChatModel,
  template: PromptTemplate,
  values: Record<string, string>,
  step: {
    stage: "critique" | "gradient";
    iteration: number;
    ctx: TpoContext;
    runtime: LangGraphRunnableConfig;
  },
): Promise<{ text: string; usage: Partial<Usage> }> {
  const { ctx, iteration } = step;
  const { temperature, topP, maxTokens, seed } = criticSamplingOf(ctx, iteration);
  return completeOnce(
    critic,
    promptMessages(template, values),
    { temperature, topP, maxTokens, seed },
    stageConfig(step.runtime, step.stage, iteration, ctx),
  );
}
