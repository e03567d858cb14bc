import type { BaseMessage } from "@langchain/core/messages";
import { TpoSettingsError } from "../errors.js";
import {
  CONVERSATION_PROMPT,
  DEFAULT_PROMPTS,
  REVISION_CONVERSATION_PROMPT,
  type PromptTemplate,
  type TpoPrompts,
} from "../prompts/index.js";
import { conversationMessages, promptMessages } from "../prompts/messages.js";
import { conversationOf, queryText } from "../messages/conversation.js";
import type { TpoContext } from "../settings/run-settings.js";
import { promptsForRun } from "../settings/prompt-fields.js";
import type { TpoStateType } from "../state/state.js";
import { candidateById, requireChosen } from "./pool-lookup.js";

/**
 * Layout `conversation` has its own template: prompts given to createTpoGraph would go unused, so
 * a run with them is refused (prompts in the run settings are refused when they are parsed).
 */
function refuseOwnPrompts(prompts: TpoPrompts): void {
  const own = (Object.keys(DEFAULT_PROMPTS) as (keyof TpoPrompts)[]).find(
    (key) =>
      prompts[key].system !== DEFAULT_PROMPTS[key].system || prompts[key].user !== DEFAULT_PROMPTS[key].user,
  );
  if (own === undefined) return;
  throw new TpoSettingsError(
    "criticLayout",
    `The graph was built with its own "${own}" prompt, which criticLayout "conversation" does not use ` +
      `(its steps share one conversation template): run it with criticLayout "separate".`,
  );
}

/** The rejected response the critic is shown: in mode tpo only, and only while there is one. */
function rejectedOf(state: TpoStateType, ctx: TpoContext) {
  return ctx.mode === "tpo" ? candidateById(state, state.rejected) : null;
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
  const rejected = rejectedOf(state, ctx);
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
 * The messages of a critic step's request. Layout `separate`: the step's own prompt, a system and
 * a user message. Layout `conversation`: the steps as turns of one conversation, each request
 * extending the one before (see `conversationMessages`); the values shown are the same.
 */
export function criticMessages(
  state: TpoStateType,
  ctx: TpoContext,
  prompts: TpoPrompts,
  step: CriticStep,
): BaseMessage[] {
  const { template, values } = criticPrompt(state, ctx, prompts, step);
  if (ctx.criticLayout === "separate") return promptMessages(template, values);
  refuseOwnPrompts(prompts);
  const conversation = rejectedOf(state, ctx) ? CONVERSATION_PROMPT : REVISION_CONVERSATION_PROMPT;
  return conversationMessages(conversation, values, step);
}
