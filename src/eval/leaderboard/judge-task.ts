import { z } from "zod";
import type { Annotation } from "../alpaca-eval/judged-files.js";
import type { Judgment } from "../arena-hard/judged-files.js";
import { AlpacaEvalTaskSchema, judgeAlpacaEvalTask } from "./alpaca-eval-judging.js";
import { ArenaHardTaskSchema, judgeArenaHardTask } from "./arena-hard-judging.js";
import type { LeaderboardJudge } from "./judging.js";

/** One item of a leaderboard judging, as data: what a queue's judge job carries. */
export const JudgeTaskSchema = z.discriminatedUnion("leaderboard", [
  AlpacaEvalTaskSchema,
  ArenaHardTaskSchema,
]);
export type JudgeTask = z.infer<typeof JudgeTaskSchema>;

/** Whether a task needs the judge's top log-probabilities (AlpacaEval's weighted judge). */
export const wantsLogprobs = (task: JudgeTask) =>
  task.leaderboard === "alpaca-eval" && task.method === "weighted";

/** Judges one item of either leaderboard: its annotation or its judgment. */
export function judgeTask(judge: LeaderboardJudge, task: JudgeTask): Promise<Annotation | Judgment> {
  return task.leaderboard === "alpaca-eval"
    ? judgeAlpacaEvalTask(judge, task)
    : judgeArenaHardTask(judge, task);
}
