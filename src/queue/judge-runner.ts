import type { LeaderboardJudge } from "../eval/leaderboard/judging.js";
import { judgeTask, wantsLogprobs } from "../eval/leaderboard/judge-task.js";
import type { JudgeJobData, JudgeJobRecord } from "./judge-job.js";
import type { JobOutcome } from "./worker.js";

/** The record of a judge job that failed: which item, and why. */
export function judgeFailureOf(data: JudgeJobData, message: string): JudgeJobRecord {
  return { kind: "judge-failed", id: data.id, error: { message } };
}

export interface JudgeJobRunnerOptions {
  /**
   * The worker's judge, with log-probabilities (AlpacaEval's weighted preference) or without;
   * asked on the first judge job of each kind (a worker that only runs queries needs no judge),
   * it may throw when no judge can be set up: the job then fails with its message.
   */
  judgeFor(logprobs: boolean): LeaderboardJudge;
  /** What a job for another judge model's failure says to do (`tpo worker`: the flags to start it with). */
  otherJudgeFix: string;
}

/**
 * How a queue worker runs judge jobs (`tpo eval … --queue`): with its own judge. A job for another
 * judge model fails saying which; a judge that cannot be set up fails the job with why.
 */
export function judgeJobRunner(
  options: JudgeJobRunnerOptions,
): (data: JudgeJobData) => Promise<JobOutcome<JudgeJobRecord>> {
  const judges = new Map<boolean, LeaderboardJudge>();
  const judgeFor = (logprobs: boolean): LeaderboardJudge => {
    let judge = judges.get(logprobs);
    if (!judge) {
      judge = options.judgeFor(logprobs);
      judges.set(logprobs, judge);
    }
    return judge;
  };
  return async (data) => {
    const failed = (message: string) => ({ record: judgeFailureOf(data, message), error: { message } });
    let judge: LeaderboardJudge;
    try {
      judge = judgeFor(wantsLogprobs(data.task));
    } catch (error) {
      return failed(`this worker has no judge: ${(error as Error).message}`);
    }
    if (judge.description.model !== data.judge) {
      return failed(
        `this worker's judge is ${judge.description.model}, the job asks for ${data.judge}: ${options.otherJudgeFix}`,
      );
    }
    try {
      return { record: { kind: "judged", row: await judgeTask(judge, data.task) } };
    } catch (error) {
      return failed((error instanceof Error ? error.message : String(error)).split("\n")[0]!);
    }
  };
}
