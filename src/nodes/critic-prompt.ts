import type { PromptTemplate, TpoPrompts } from "../prompts/index.js";
import { conversationOf, queryText } from "../state/conversation.js";
import type { TpoContext } from "../state/settings.js";
import { promptsForRun } from "../state/settings-prompts.js";
import type { TpoStateType } from "../state/state.js";
import { candidateById, requireChosen } from "./pool-lookup.js";

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
