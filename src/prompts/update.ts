import {
  CHOSEN_SECTION,
  CRITIQUE_SECTION,
  QUERY_SECTION,
  REJECTED_SECTION,
  RESPONSE_SECTION,
  SUGGESTIONS_SECTION,
  sections,
} from "./sections.js";
import type { PromptTemplate } from "./template.js";

/** The tags an update writes its response between; anything outside them is discarded. */
export const UPDATE_TAGS = { open: "<improved_response>", close: "</improved_response>" } as const;

const WRITE_BETWEEN_TAGS =
  `Put the improved response between ${UPDATE_TAGS.open} and ${UPDATE_TAGS.close}, and write nothing ` +
  "outside the tags.";

/** Variable update, mode `tpo`: a better chosen response, from chosen, rejected, critique and suggestions. */
export const UPDATE_PROMPT: PromptTemplate = {
  system:
    "You are part of an optimisation system that improves a chosen response to a user query. You are " +
    "given the query, the chosen response, a rejected response, a critique that compares them and " +
    "suggestions for improving the chosen response. Rewrite the chosen response so that it follows the " +
    "suggestions while keeping what is already good. Write only an improved chosen response to the " +
    "query: never a critique, and never a response like the rejected one. " +
    WRITE_BETWEEN_TAGS,
  user: sections(QUERY_SECTION, CHOSEN_SECTION, REJECTED_SECTION, CRITIQUE_SECTION, SUGGESTIONS_SECTION),
};

/** Variable update, mode `revision` (and while there is no rejected response): the response alone. */
export const REVISION_UPDATE_PROMPT: PromptTemplate = {
  system:
    "You are part of an optimisation system that improves a response to a user query. You are given " +
    "the query, the current response, a critique of it and suggestions for improving it. Rewrite the " +
    "response so that it follows the suggestions while keeping what is already good. Write only the " +
    "improved response to the query, never a critique. " +
    WRITE_BETWEEN_TAGS,
  user: sections(QUERY_SECTION, RESPONSE_SECTION, CRITIQUE_SECTION, SUGGESTIONS_SECTION),
};

/**
 * The text between the update tags, or null when the output does not have them. A missing close
 * tag usually means the output hit max tokens: what was written after the open tag still counts.
 */
export function extractTaggedResponse(output: string): string | null {
  const start = output.indexOf(UPDATE_TAGS.open);
  if (start < 0) return null;
  const from = start + UPDATE_TAGS.open.length;
  const end = output.indexOf(UPDATE_TAGS.close, from);
  return (end < 0 ? output.slice(from) : output.slice(from, end)).trim();
}
