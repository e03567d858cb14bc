import { CHOSEN_SECTION, QUERY_SECTION, REJECTED_SECTION, RESPONSE_SECTION, sections } from "./sections.js";
import { UPDATE_TAGS } from "./update.js";

/**
 * The critic's three steps as one conversation (run setting `criticLayout: "conversation"`): one
 * system message, one context message (the query and the responses), then each step's
 * instruction as the newest user turn, the critique's and the gradient's answers appended as the
 * critic's turns in between. Each request extends the one before, so a server's prefix cache
 * re-uses everything before the newest turn. Each step sees what it sees in layout `separate`.
 */
export interface ConversationTemplate {
  system: string;
  /** The responses to work on; the critique's instruction follows it in the same user turn. */
  context: string;
  critique: string;
  gradient: string;
  update: string;
}

const WRITE_BETWEEN_TAGS =
  `Put the improved response between ${UPDATE_TAGS.open} and ${UPDATE_TAGS.close}, and write nothing ` +
  "outside the tags.";

/** Mode `tpo` with a rejected response. */
export const CONVERSATION_PROMPT: ConversationTemplate = {
  system:
    "You are part of an optimisation system that improves a chosen response to a user query. You are " +
    "given the query, the chosen response and a rejected response. In the turns that follow you will " +
    "critique them, turn the critique into suggestions, and rewrite the chosen response: follow each " +
    "turn's instruction.",
  context: sections(QUERY_SECTION, CHOSEN_SECTION, REJECTED_SECTION),
  critique:
    "Compare the chosen response with the rejected one. Analyse the strengths and weaknesses of each, " +
    "step by step, and explain why the chosen response is preferred and what it still lacks. Do NOT " +
    "write a new response to the query. Be concise.",
  gradient:
    "Turn your critique into concrete, actionable suggestions for improving the chosen response: what " +
    "to add, remove or change, and why, so that it keeps its strengths and moves further away from the " +
    "weaknesses of the rejected response. Give suggestions only; do NOT write the improved response.",
  update:
    "Rewrite the chosen response so that it follows your suggestions while keeping what is already " +
    "good. Write only an improved chosen response to the query: never a critique, and never a response " +
    `like the rejected one. ${WRITE_BETWEEN_TAGS}`,
};

/** Mode `revision` (and any step while there is no rejected response): the response alone. */
export const REVISION_CONVERSATION_PROMPT: ConversationTemplate = {
  system:
    "You are part of an optimisation system that improves a response to a user query. You are given " +
    "the query and the current response. In the turns that follow you will critique it, turn the " +
    "critique into suggestions, and rewrite the response: follow each turn's instruction.",
  context: sections(QUERY_SECTION, RESPONSE_SECTION),
  critique:
    "Analyse the strengths and weaknesses of the response, step by step. Do NOT write a new response to " +
    "the query. Be concise.",
  gradient:
    "Turn your critique into concrete, actionable suggestions for improving the response: what to add, " +
    "remove or change, and why. Give suggestions only; do NOT write the improved response.",
  update:
    "Rewrite the response so that it follows your suggestions while keeping what is already good. Write " +
    `only the improved response to the query, never a critique. ${WRITE_BETWEEN_TAGS}`,
};
