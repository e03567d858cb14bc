import { QUERY_SECTION, sections } from "./sections.js";
import type { PromptTemplate } from "./template.js";

/** What a pairwise judge may answer: the response shown first (A), the one shown second (B), or a tie. */
export const PAIRWISE_VERDICTS = ["A", "B", "tie"] as const;

/**
 * Pairwise judging of two responses to one query (`tpo compare`); the verdict comes back as
 * structured output. The labels A and B are positions: the comparison asks for both orders.
 */
export const PAIRWISE_PROMPT: PromptTemplate = {
  system:
    "You are an impartial judge. You are shown a user query and two responses to it, Response A and " +
    "Response B. Decide which response serves the user better: which one addresses what the user " +
    "actually asked and needs, is correct in its facts, reasoning, code and calculations, avoids unsafe " +
    "or misleading content, and is clear.\n" +
    "- Length is not a merit: a longer response is better only if the extra content helps the user; " +
    "padding, repetition and needless detail count against it.\n" +
    "- The order in which the responses are shown says nothing about their quality.\n" +
    "- Style and formatting matter only as far as they help the user understand.\n" +
    'Write a short rationale first, then the verdict: "A" if Response A is better, "B" if Response B ' +
    'is better, "tie" if neither is clearly better.',
  user: sections(
    QUERY_SECTION,
    "<response_a>\n{response_a}\n</response_a>",
    "<response_b>\n{response_b}\n</response_b>",
  ),
};
