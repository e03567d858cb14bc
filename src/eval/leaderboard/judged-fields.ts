import { z } from "zod";

/** The judge a judged file records (a JudgeDescription): its model, and where it ran. */
export const JudgeFieldSchema = z.object({
  model: z.string(),
  baseUrl: z.string().optional(),
  backend: z.string().optional(),
});

/** A judgment's cost as a judged file records it (a JudgeUsage). */
export const JudgeUsageSchema = z.object({
  requests: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
});
