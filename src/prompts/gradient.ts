import type { PromptTemplate } from "./template.js";

/** Textual gradient: the critique turned into concrete suggestions for the chosen response. */
export const GRADIENT_PROMPT: PromptTemplate = {
  system:
    "You are part of an optimisation system that improves a response to a user query. You are given " +
    "the query, the current response and a critique of it. Turn the critique into concrete, actionable " +
    "suggestions for improving the response: what to add, remove or change, and why. Give suggestions " +
    "only; do NOT write the improved response.",
  user: "<query>\n{query}\n</query>\n\n<response>\n{chosen}\n</response>\n\n<critique>\n{critique}\n</critique>",
};
