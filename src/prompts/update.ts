import type { PromptTemplate } from "./template.js";

/** The tags an update writes its response between; anything outside them is discarded. */
export const UPDATE_TAGS = { open: "<improved_response>", close: "</improved_response>" } as const;

/** Variable update: an improved response that follows the suggestions. */
export const UPDATE_PROMPT: PromptTemplate = {
  system:
    "You are part of an optimisation system that improves a response to a user query. Rewrite the " +
    "response so that it follows the suggestions while keeping what is already good. Write only the " +
    "improved response to the query, never a critique or a worse alternative. Put the improved response " +
    `between ${UPDATE_TAGS.open} and ${UPDATE_TAGS.close}.`,
  user: "<query>\n{query}\n</query>\n\n<response>\n{chosen}\n</response>\n\n<suggestions>\n{gradient}\n</suggestions>",
};

/** The text between the update tags, or null when the output does not have them. */
export function extractTaggedResponse(output: string): string | null {
  const start = output.indexOf(UPDATE_TAGS.open);
  if (start < 0) return null;
  const from = start + UPDATE_TAGS.open.length;
  const end = output.indexOf(UPDATE_TAGS.close, from);
  // A missing close tag usually means the output hit max tokens: keep what was written.
  return (end < 0 ? output.slice(from) : output.slice(from, end)).trim();
}
