import { createHash } from "node:crypto";
import { z } from "zod";
import { AnnotationSchema, type Annotation } from "../eval/alpaca-eval/judged-files.js";
import { JudgmentSchema, type Judgment } from "../eval/arena-hard/judged-files.js";
import { JudgeTaskSchema, type JudgeTask } from "../eval/leaderboard/judge-task.js";

/**
 * A judge job: one item to judge, and the judge model's name that should judge it (a worker with
 * another judge fails it, saying so). Never an endpoint or a key: each worker judges with the
 * judge of its own environment and flags.
 */
export interface JudgeJobData {
  v: 1;
  kind: "judge";
  key: string;
  /** `alpaca-eval judging` or `arena-hard judging`: how `tpo queue status` groups these jobs. */
  dataset: string;
  /** The item's id: the query's id in the results file (AlpacaEval) or the question's uid (Arena-Hard). */
  id: string;
  source: string;
  /** Always "judge", for the queue's catalogue. */
  mode: "judge";
  judge: string;
  task: JudgeTask;
}

export const JudgeJobDataSchema = z.object({
  v: z.literal(1),
  kind: z.literal("judge"),
  key: z.string().min(1),
  dataset: z.string(),
  id: z.string(),
  source: z.string(),
  mode: z.literal("judge"),
  judge: z.string(),
  task: JudgeTaskSchema,
});

/**
 * The job of one item: its key is the leaderboard, the item's id and a fingerprint of the task
 * and the judge, so the same command run again (or with another --out) makes the same keys, and
 * nothing is judged twice; a changed answer, prompt or judge makes a new job.
 */
export function judgeJobOf(task: JudgeTask, id: string, judge: string): JudgeJobData {
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([task, judge]))
    .digest("hex")
    .slice(0, 16);
  return {
    v: 1,
    kind: "judge",
    key: `judge:${task.leaderboard}:${id}:${fingerprint}`,
    dataset: `${task.leaderboard} judging`,
    id,
    source: task.leaderboard === "alpaca-eval" ? `instruction of ${id}` : `question ${id}`,
    mode: "judge",
    judge,
    task,
  };
}

/** A judged row of a file, checked but kept as it came (its keys in the judge's order). */
const JudgedRowSchema = z.custom<Annotation | Judgment>(
  (value) => AnnotationSchema.safeParse(value).success || JudgmentSchema.safeParse(value).success,
  "not an AlpacaEval annotation or an Arena-Hard judgment",
);

/** What a judge job leaves in the queue: the judged row, or why it has none. */
export const JudgeJobRecordSchema = z.union([
  z.object({ kind: z.literal("judged"), row: JudgedRowSchema }),
  z.object({ kind: z.literal("judge-failed"), id: z.string(), error: z.object({ message: z.string() }) }),
]);
export type JudgeJobRecord = z.infer<typeof JudgeJobRecordSchema>;

export const isJudgeJob = (data: { kind?: unknown }): data is JudgeJobData => data.kind === "judge";
