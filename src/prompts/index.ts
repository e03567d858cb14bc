import { CRITIQUE_PROMPT, REVISION_CRITIQUE_PROMPT } from "./critique.js";
import { GRADIENT_PROMPT, REVISION_GRADIENT_PROMPT } from "./gradient.js";
import { REVISION_UPDATE_PROMPT, UPDATE_PROMPT } from "./update.js";
import type { PromptTemplate } from "./template.js";

/**
 * The critic's prompt families. Mode `tpo` with a rejected response uses `critique`, `gradient` and
 * `update`; mode `revision`, and any step while there is no rejected response, uses the `revision…`
 * three, which never show a rejected response.
 */
export interface TpoPrompts {
  critique: PromptTemplate;
  revisionCritique: PromptTemplate;
  gradient: PromptTemplate;
  revisionGradient: PromptTemplate;
  update: PromptTemplate;
  revisionUpdate: PromptTemplate;
}

export const DEFAULT_PROMPTS: TpoPrompts = {
  critique: CRITIQUE_PROMPT,
  revisionCritique: REVISION_CRITIQUE_PROMPT,
  gradient: GRADIENT_PROMPT,
  revisionGradient: REVISION_GRADIENT_PROMPT,
  update: UPDATE_PROMPT,
  revisionUpdate: REVISION_UPDATE_PROMPT,
};

export type TpoPromptOverrides = { [K in keyof TpoPrompts]?: Partial<PromptTemplate> };

export function resolvePrompts(overrides: TpoPromptOverrides = {}): TpoPrompts {
  const resolved = { ...DEFAULT_PROMPTS };
  for (const key of Object.keys(DEFAULT_PROMPTS) as (keyof TpoPrompts)[]) {
    resolved[key] = { ...DEFAULT_PROMPTS[key], ...overrides[key] };
  }
  return resolved;
}

export {
  CRITIQUE_PROMPT,
  REVISION_CRITIQUE_PROMPT,
  GRADIENT_PROMPT,
  REVISION_GRADIENT_PROMPT,
  UPDATE_PROMPT,
  REVISION_UPDATE_PROMPT,
};
export { UPDATE_TAGS, extractTaggedResponse } from "./update.js";
export { fillTemplate, type PromptTemplate } from "./template.js";
export {
  CONVERSATION_PROMPT,
  REVISION_CONVERSATION_PROMPT,
  type ConversationTemplate,
} from "./conversation.js";
