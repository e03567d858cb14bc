import { CHOSEN_SECTION, QUERY_SECTION, REJECTED_SECTION, RESPONSE_SECTION, sections } from "./sections.js";
import type { PromptTemplate } from "./template.js";

/** Textual loss, mode `tpo`: why the chosen response beats the rejected one. */
export const CRITIQUE_PROMPT: PromptTemplate = {
  system:
    "You evaluate a chosen response by comparing it with a rejected response to the same user query. " +
    "Analyse the strengths and weaknesses of each response, step by step, and explain why the chosen " +
    "response is preferred and what it still lacks. Do NOT write a new response to the query. Be concise.",
  user: sections(QUERY_SECTION, CHOSEN_SECTION, REJECTED_SECTION),
};

/** Textual loss, mode `revision` (and any step with no rejected response yet): the chosen response alone. */
export const REVISION_CRITIQUE_PROMPT: PromptTemplate = {
  system:
    "You evaluate a model response to a user query. Analyse the strengths and weaknesses of the " +
    "response, step by step. Do NOT write a new response to the query. Be concise.",
  user: sections(QUERY_SECTION, RESPONSE_SECTION),
};
