import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { TpoContext } from "../settings/run-settings.js";
import { criticSamplingOf } from "../settings/step-sampling.js";
import type { BaseMessage } from "@langchain/core/messages";
import { stageConfig } from "./stage-config.js";
import type { Usage } from "../state/state.js";
import { completeOnce } from "../models/chat/sample-responses.js";
import type { ResponseCache } from "../models/chat/response-cache.js";

/** One request of the critique or gradient step, with the critic's own sampling settings. */
export function askCritic(
  critic: BaseChatModel,
  messages: BaseMessage[],
  step: {
    stage: "critique" | "gradient";
    iteration: number;
    ctx: TpoContext;
    runtime: LangGraphRunnableConfig;
    /** The conversation the query belongs to: its routing key. */
    conversation: readonly BaseMessage[];
    cache?: ResponseCache;
  },
): Promise<{ text: string; usage: Partial<Usage> }> {
  const { ctx, iteration } = step;
  return completeOnce(
    critic,
    messages,
    criticSamplingOf(ctx, iteration),
    stageConfig(step.runtime, step.stage, iteration, ctx, step.conversation),
    step.cache,
  );
}
