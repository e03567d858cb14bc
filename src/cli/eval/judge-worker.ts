import type { LeaderboardJudge } from "../../eval/leaderboard/judging.js";
import { judgeTask, wantsLogprobs } from "../../eval/leaderboard/judge-task.js";
import { ALPACA_EVAL_TOP_LOGPROBS } from "../../eval/leaderboard/judge-calls.js";
import type { JudgeJobData, JudgeJobRecord } from "../../queue/judge-job.js";
import type { JobOutcome } from "../../queue/worker.js";
import type { TpoCache } from "../../cache/tpo-cache.js";
import { judgeCacheOf } from "../../eval/judge-cache.js";
import {
  describeJudge,
  judgeChatModel,
  judgeSettings,
  type JudgeSettings,
} from "../compare/judge-settings.js";

/** The record of a judge job that failed: which item, and why. */
export function judgeFailureOf(data: JudgeJobData, message: string): JudgeJobRecord {
  return { kind: "judge-failed", id: data.id, error: { message } };
}

/**
 * How `tpo worker` runs judge jobs: with the judge that `tpo eval` would build from the same flags
 * and variables (--judge-model, TPO_JUDGE_MODEL, … else the policy's), made on the first judge
 * job (a worker that only runs queries needs no judge). A job for another judge model fails
 * saying which; a judge that cannot be set up fails the job with the set-up help.
 */
export function judgeJobRunner(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  /** The worker's --cache: verdicts are kept and reused there as `tpo eval --cache` does. */
  cache?: TpoCache,
): (data: JudgeJobData) => Promise<JobOutcome<JudgeJobRecord>> {
  let settings: JudgeSettings | undefined;
  const judges = new Map<boolean, LeaderboardJudge>();
  const judgeFor = (logprobs: boolean): LeaderboardJudge => {
    settings ??= judgeSettings(flags, undefined, env);
    let judge = judges.get(logprobs);
    if (!judge) {
      const description = describeJudge(settings);
      judge = {
        model: judgeChatModel(settings, logprobs ? { topLogprobs: ALPACA_EVAL_TOP_LOGPROBS } : {}),
        description,
        ...(cache ? { cache: judgeCacheOf(cache.judgements, description) } : {}),
      };
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
        `this worker's judge is ${judge.description.model}, the job asks for ${data.judge}: ` +
          "start workers with the judge of tpo eval (--judge-model or TPO_JUDGE_MODEL)",
      );
    }
    try {
      return { record: { kind: "judged", row: await judgeTask(judge, data.task) } };
    } catch (error) {
      return failed((error instanceof Error ? error.message : String(error)).split("\n")[0]!);
    }
  };
}
