import { z } from "zod";

/**
 * Settings that spend less compute. Stopping rules end a run before its depth when more
 * iterations stop paying (unset, the default, a run goes to its depth, as it always did; the
 * `decide` node reads them); the critic layout lets a server's prefix cache re-use the critic's prompts.
 */
export const computeContextFields = {
  criticLayout: z
    .enum(["separate", "conversation"])
    .default("separate")
    .describe(
      "separate: critique, gradient and update are three independent requests (the paper's); conversation: successive turns of one conversation (one system message and one context message shared by all three, each answer appended), so a server's prefix cache re-uses the earlier steps' prompts.",
    ),
  targetScore: z
    .number()
    .optional()
    .describe(
      "Stop once the best score in the pool reaches this value, on the reward model's scale (checked after the first sampling and after each update is scored). Unset: no target.",
    ),
  patience: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "Stop after this many consecutive iterations that did not raise the best score. Unset: no patience rule.",
    ),
  budgetTokens: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      "Token budget of one query (prompt + completion, as the servers report them): no iteration starts that would pass it, estimating the next iteration from the last one. Unset: no token budget.",
    ),
  budgetRequests: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      "Model-request budget of one query: no iteration starts that would pass it, estimating the next iteration from the last one. Unset: no request budget.",
    ),
  budgetUsd: z
    .number()
    .min(0)
    .optional()
    .describe(
      "Dollar budget of one query, at the prices the models were given (--prices): no iteration starts that would pass it, estimating the next iteration from the last one. Unset: no dollar budget.",
    ),
};
