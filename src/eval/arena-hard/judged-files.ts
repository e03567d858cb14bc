import { z } from "zod";
import { JudgeFieldSchema, JudgeUsageSchema } from "../leaderboard/judged-fields.js";

/** A question of arena-hard-auto's question.jsonl. */
export const QuestionSchema = z.looseObject({
  uid: z.string(),
  category: z.string().optional(),
  prompt: z.string(),
});

/** An answer line of arena-hard-auto's model_answer/<model>.jsonl. */
export const AnswerSchema = z.looseObject({
  uid: z.string(),
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).min(1),
});

/** One of a judgment's two games (the answers in one order), as gen_judgment.py writes it. */
const GameSchema = z
  .looseObject({
    score: z.string().nullable(),
    judgment: z.looseObject({ answer: z.string() }),
    prompt: z.array(z.object({ role: z.string(), content: z.string() })),
  })
  .nullable();

/** A judgment line as arena-hard-auto's gen_judgment.py writes it, and `tpo eval arena-hard`: who judged, with which prompt, of which answers. */
export const JudgmentSchema = z.looseObject({
  uid: z.string(),
  category: z.string(),
  judge: z.string(),
  model: z.string(),
  baseline: z.string(),
  games: z.tuple([GameSchema, GameSchema]),
  tpo: z.object({
    judge: JudgeFieldSchema,
    prompt: z.string(),
    answers: z.object({ model: z.string(), baseline: z.string() }),
    usage: JudgeUsageSchema,
  }),
});
export type Judgment = z.infer<typeof JudgmentSchema>;
