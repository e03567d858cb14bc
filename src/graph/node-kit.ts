import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { TpoInputError } from "../errors.js";
import type { RewardModel } from "../models/reward.js";
import type { SamplingSettings } from "../models/sampling.js";
import { fillTemplate, type PromptTemplate, type TpoPrompts } from "../prompts/index.js";
import type { TpoContext } from "./context.js";
import { promptsForRun } from "./context-prompts.js";
import type { Candidate, TpoStateType, TpoUpdate } from "./state.js";

/** What the built-in nodes are given at build time. */
export interface TpoModels {
  policy: BaseChatModel;
  critic: BaseChatModel;
  rewardModel: RewardModel;
  prompts: TpoPrompts;
}

export type TpoNodeName = "generate" | "reward" | "select" | "critique" | "gradient" | "update" | "finalize";

export type TpoStage = "generate" | "reward" | "critique" | "gradient" | "update";

/** A node: reads state and run settings, returns a state update. */
export type TpoNode = (
  state: TpoStateType,
  runtime: LangGraphRunnableConfig,
) => TpoUpdate | Promise<TpoUpdate>;

/**
 * The conversation the response answers: the messages, then the query (when one is given) as a
 * new user turn. Generate folds the query into the messages, so a thread can be asked again with
 * a new `{ query }` after an answer.
 */
export function conversationOf(state: Pick<TpoStateType, "messages" | "query">): BaseMessage[] {
  const conversation = state.query?.trim()
    ? [...state.messages, new HumanMessage(state.query)]
    : state.messages;
  if (conversation.length === 0) {
    throw new TpoInputError(
      'No query: invoke the graph with { query: "..." } or { messages: [...] } ending with a user turn.',
    );
  }
  const last = conversation[conversation.length - 1];
  if (!HumanMessage.isInstance(last)) {
    throw new TpoInputError(
      `The conversation must end with a user turn, but its last message is of type "${last.getType()}". ` +
        `Pass { messages } ending with a HumanMessage, or a new { query: "..." }.`,
    );
  }
  return conversation;
}

/**
 * The query as prompts show it: the user's text for a single turn; for a longer conversation, a
 * transcript whose last "User:" turn is the one being answered.
 */
export function queryText(conversation: BaseMessage[]): string {
  if (conversation.length === 1) return conversation[0].text;
  return conversation
    .map(
      (m) =>
        `${HumanMessage.isInstance(m) ? "User" : AIMessage.isInstance(m) ? "Assistant" : "System"}: ${m.text}`,
    )
    .join("\n\n");
}

export function promptMessages(template: PromptTemplate, values: Record<string, string>): BaseMessage[] {
  return [
    new SystemMessage(fillTemplate(template.system, values)),
    new HumanMessage(fillTemplate(template.user, values)),
  ];
}

export function candidateById(state: TpoStateType, id: string | null): Candidate | null {
  return id === null ? null : (state.pool.find((c) => c.id === id) ?? null);
}

export function requireChosen(state: TpoStateType, node: TpoNodeName): Candidate {
  const chosen = candidateById(state, state.chosen);
  if (!chosen)
    throw new TpoInputError(`The ${node} node needs a chosen candidate, but select has not chosen one.`);
  return chosen;
}

export type CriticStep = "critique" | "gradient" | "update";

const REVISION_PROMPT: Record<CriticStep, keyof TpoPrompts> = {
  critique: "revisionCritique",
  gradient: "revisionGradient",
  update: "revisionUpdate",
};

/**
 * The prompt of a critic step and the values it is filled with. Mode `tpo` with a rejected
 * response uses the step's contrastive template (chosen and rejected side by side); mode
 * `revision`, and any step while there is no rejected response, uses its revision template, and no
 * value holds a rejected response.
 */
export function criticPrompt(
  state: TpoStateType,
  ctx: TpoContext,
  prompts: TpoPrompts,
  step: CriticStep,
): { template: PromptTemplate; values: Record<string, string> } {
  const rejected = ctx.mode === "tpo" ? candidateById(state, state.rejected) : null;
  const active = promptsForRun(prompts, ctx);
  return {
    template: rejected ? active[step] : active[REVISION_PROMPT[step]],
    values: {
      query: queryText(conversationOf(state)),
      chosen: requireChosen(state, step).text,
      rejected: rejected?.text ?? "",
      critique: state.critiqueText ?? "",
      gradient: state.gradientText ?? "",
      systemPrompt: ctx.systemPrompt ?? "",
    },
  };
}

/**
 * The config for a model call inside a node: the node's callbacks and signal, plus metadata and a
 * tag that say which TPO stage and iteration the call belongs to.
 */
export function stageConfig(
  runtime: LangGraphRunnableConfig,
  stage: TpoStage,
  iteration: number,
  ctx: TpoContext,
): RunnableConfig {
  return {
    callbacks: runtime.callbacks,
    signal: runtime.signal,
    tags: [`tpo:iteration:${iteration}`, `tpo:${stage}`],
    metadata: {
      tpo_iteration: iteration,
      tpo_stage: stage,
      tpo_mode: ctx.mode,
      tpo_width: ctx.width,
      tpo_depth: ctx.depth,
    },
  };
}

/**
 * The sampling settings of generate (iteration 0) and of the k-th update. With a seed, sample i of
 * iteration k gets seed + k·N + i: an update whose prompt repeats an earlier one (the chosen
 * response did not change) still draws new samples instead of the same texts again.
 */
export function samplingOf(ctx: TpoContext, iteration: number): SamplingSettings {
  const { temperature, topP, maxTokens, seed } = ctx;
  return {
    temperature,
    topP,
    maxTokens,
    seed: seed === undefined ? undefined : seed + iteration * ctx.width,
  };
}

/**
 * The sampling settings of the critic's requests (critique and gradient) in iteration k: its own
 * temperature, top_p and max tokens, and with a seed, seed + k·N, so that a chosen/rejected pair
 * that repeats in a later iteration does not get a verbatim repeated critique.
 */
export function criticSamplingOf(ctx: TpoContext, iteration: number): SamplingSettings {
  return {
    temperature: ctx.criticTemperature,
    topP: ctx.criticTopP,
    maxTokens: ctx.criticMaxTokens,
    seed: ctx.seed === undefined ? undefined : ctx.seed + iteration * ctx.width,
  };
}

/** Milliseconds since `start`, as a usage entry for `node`. */
export function nodeTime(node: TpoNodeName, start: number): { nodeMs: Record<string, number> } {
  return { nodeMs: { [node]: performance.now() - start } };
}
