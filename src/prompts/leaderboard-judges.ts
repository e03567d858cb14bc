import type { PromptTemplate } from "./template.js";

/**
 * The two labels of the AlpacaEval-style judge: `m` names the output shown first, `M` the one
 * shown second. Each is one token in the tokenizers of common judges, so that the judge's first
 * token carries the whole preference and its top log-probabilities can be read.
 */
export const ALPACA_EVAL_LABELS = ["m", "M"] as const;

/**
 * An AlpacaEval-style judge (`tpo eval alpaca-eval`), in our own words: it reads an instruction
 * and two outputs and answers with one label. Placeholders are alpaca_eval's own, so that one of
 * its templates can stand in (`--judge-template`): {instruction}, {output_1} (shown first, `m`)
 * and {output_2} (shown second, `M`).
 */
export const ALPACA_EVAL_JUDGE_PROMPT: PromptTemplate = {
  system:
    "You compare two answers to the same instruction and pick the one a careful human reader would " +
    "prefer: the one that does what the instruction asks, is accurate, and is useful. More words do " +
    "not make an answer better, and the order in which the answers appear says nothing about them.",
  user:
    "<query>\n{instruction}\n</query>\n\n" +
    "<output_m>\n{output_1}\n</output_m>\n\n" +
    "<output_M>\n{output_2}\n</output_M>\n\n" +
    "Which output is better? Reply with its identifier and nothing else: m or M.",
};

/** The verdicts of an Arena-Hard-style judge, strongest for A first, as arena-hard-auto labels them. */
export const ARENA_HARD_VERDICTS = ["A>>B", "A>B", "A=B", "B>A", "B>>A"] as const;

/**
 * An Arena-Hard-style judge (`tpo eval arena-hard`), in our own words: the judge first answers the
 * question itself, then weighs both answers against its own, and ends with a verdict in double
 * brackets. Placeholders are arena-hard-auto's own ({QUESTION}, {ANSWER_A}, {ANSWER_B}), so that
 * its template can stand in (`--judge-template`).
 */
export const ARENA_HARD_JUDGE_PROMPT: PromptTemplate = {
  system:
    "You judge two assistants' answers to a user's question.\n" +
    "1. Before reading their answers closely, write your own answer to the question.\n" +
    "2. Check each assistant's answer against yours: point out mistakes and correct them.\n" +
    "3. Weigh whether each answer is helpful (it does what was asked, or asks for clarification when " +
    "the question is ambiguous), relevant and concise; credit creativity where the question calls for " +
    "it, and note anything important that an answer leaves out.\n" +
    "4. The order of the answers says nothing about them, and length is no merit in itself.\n" +
    "End with exactly one verdict label on its own line:\n" +
    "[[A>>B]] if Assistant A is much better, [[A>B]] if A is somewhat better, [[A=B]] if they are " +
    "about equal, [[B>A]] if B is somewhat better, [[B>>A]] if B is much better.\n" +
    'For example: "Verdict: [[A=B]]".',
  user:
    "<query>\n{QUESTION}\n</query>\n\n" +
    "<response_a>\n{ANSWER_A}\n</response_a>\n\n" +
    "<response_b>\n{ANSWER_B}\n</response_b>",
};
