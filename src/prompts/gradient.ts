import {
  CHOSEN_SECTION,
  CRITIQUE_SECTION,
  QUERY_SECTION,
  REJECTED_SECTION,
  RESPONSE_SECTION,
  sections,
} from "./sections.js";
import type { PromptTemplate } from "./template.js";

/** Textual gradient, mode `tpo`: the critique of chosen vs rejected turned into suggestions for the chosen one. */
export const GRADIENT_PROMPT: PromptTemplate = {
  system:
    "You are part of an optimisation system that improves a chosen response to a user query. You are " +
    "given the query, the chosen response, a rejected response and a critique that compares them. Turn " +
    "the critique into concrete, actionable suggestions for improving the chosen response: what to add, " +
    "remove or change, and why, so that it keeps its strengths and moves further away from the weaknesses " +
    "of the rejected response. Give suggestions only; do NOT write the improved response.",
  user: sections(QUERY_SECTION, CHOSEN_SECTION, REJECTED_SECTION, CRITIQUE_SECTION),
};

/** Textual gradient, mode `revision` (and while there is no rejected response): the response alone. */
export const REVISION_GRADIENT_PROMPT: PromptTemplate = {
  system:
    "You are part of an optimisation system that improves a response to a user query. You are given " +
    "the query, the current response and a critique of it. Turn the critique into concrete, actionable " +
    "suggestions for improving the response: what to add, remove or change, and why. Give suggestions " +
    "only; do NOT write the improved response.",
  user: sections(QUERY_SECTION, RESPONSE_SECTION, CRITIQUE_SECTION),
};
