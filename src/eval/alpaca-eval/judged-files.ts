import { z } from "zod";
import { JudgeFieldSchema, JudgeUsageSchema } from "../leaderboard/judged-fields.js";

/** One entry of alpaca_eval's reference outputs (e.g. its gpt4_1106_preview outputs). */
export const ReferenceSchema = z
  .array(
    z.looseObject({
      instruction: z.string(),
      output: z.string(),
      generator: z.string(),
      dataset: z.string().optional(),
    }),
  )
  .min(1);
export type Reference = z.infer<typeof ReferenceSchema>[number];

/** What tpo adds to an alpaca_eval annotation: who judged, with which prompt, and of which answers. */
const TpoFieldsSchema = z.object({
  judge: JudgeFieldSchema,
  prompt: z.string(),
  method: z.enum(["weighted", "discrete"]),
  answers: z.object({ output_1: z.string(), output_2: z.string() }),
  usage: JudgeUsageSchema,
});

/** An annotation as `tpo eval alpaca-eval` writes it: alpaca_eval's columns, then `tpo`. */
export const AnnotationSchema = z.looseObject({
  instruction: z.string(),
  output_1: z.string(),
  generator_1: z.string(),
  output_2: z.string(),
  generator_2: z.string(),
  annotator: z.string(),
  preference: z.number().nullable(),
  tpo: TpoFieldsSchema,
});
export type Annotation = z.infer<typeof AnnotationSchema>;
