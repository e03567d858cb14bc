import { z } from "zod";

/**
 * Stopping rules: settings that end a run before its depth when more iterations stop paying.
 * Unset (the default), a run goes to its depth, as it always did. The `decide` node reads them.
 */
export const stoppingContextFields = {
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
};
