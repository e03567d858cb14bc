import type { Judgment } from "../../eval/arena-hard/judged-files.js";
import {
  ARENA_HARD_JUDGE_MAX_TOKENS,
  arenaHardTaskOf,
  judgeArenaHardTask,
  matchesToJudge,
  nullGamesOf,
  parseBaselineAnswers,
  parseQuestions,
  matchArenaHardQuestions,
  previousJudgments,
  type ArenaHardMatch,
} from "../../eval/leaderboard/arena-hard-judging.js";
import { addUsage, noUsage, type JudgeUsage } from "../../eval/leaderboard/judge-calls.js";
import { ResultsWriter } from "../../eval/batch/results-file.js";
import { isSimulatedJudge, judgeName } from "../../eval/compare/summary.js";
import { ARENA_HARD_JUDGE_PROMPT } from "../../prompts/leaderboard-judges.js";
import { otherJudgeOf } from "../../eval/leaderboard/judging.js";
import { judgeJobOf } from "../../queue/judge-job.js";
import { openJudgingSession } from "../eval/judging-session.js";
import { checkOutTarget, refuseInputAsOut } from "../batch/out-file.js";
import { describeJudge, judgeChatModel, judgeSettings } from "../compare/judge-settings.js";
import { numberFlag } from "../flags.js";
import { readTextInput } from "../read-input.js";
import { readOurAnswers, warnOfMissingAnswers } from "../eval/answers.js";
import { judgeInBatch } from "../eval/judge-batch.js";
import { printJudgeSummary } from "../eval/judge-footer.js";
import { judgeOnQueue, judgeQueueOf, type JudgeQueueOptions } from "../eval/judge-queue.js";
import { judgePromptOf } from "../eval/judge-template.js";
import { warnOnStderr } from "../warn.js";
import { uploadArenaHardScores } from "../langsmith.js";
import { writeLine, type CliIo } from "../io.js";
import { scoreArenaHardAction } from "./eval-score.js";

export interface JudgeArenaHardOptions extends Record<string, unknown>, JudgeQueueOptions {
  baseline: string;
  questions: string;
  out: string;
  mode?: string;
  iteration?: string;
  modelName?: string;
  judgeTemplate?: string;
  category?: string;
  concurrency: string;
  overwrite?: boolean;
  json?: boolean;
  quiet?: boolean;
  langsmithExperiment?: string;
  /** A SQLite file or postgres:// URL of the persistent cache of the judge's verdicts (../cache-option.ts). */
  cache?: string;
}

const COMMAND = "tpo eval arena-hard";

/** `tpo eval arena-hard`'s work; ../declare/eval.ts declares the command and loads this on demand. */
export async function judgeArenaHardAction(
  results: string,
  options: JudgeArenaHardOptions,
  io: CliIo,
): Promise<void> {
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  const onQueue = judgeQueueOf(options);
  const out = options.out;
  checkOutTarget(out);
  refuseInputAsOut(out, [
    { path: results, what: "<results>" },
    { path: options.baseline, what: "--baseline" },
    { path: options.questions, what: "--questions" },
    ...(options.judgeTemplate ? [{ path: options.judgeTemplate, what: "--judge-template" }] : []),
  ]);
  const ours = readOurAnswers(results, options, COMMAND, io.stderr);
  const questions = parseQuestions(
    readTextInput(options.questions, "--questions"),
    `--questions ${options.questions}`,
  );
  const baseline = parseBaselineAnswers(
    readTextInput(options.baseline, "--baseline"),
    `--baseline ${options.baseline}`,
  );
  const matched = matchArenaHardQuestions(questions, ours, baseline, {
    results,
    baseline: "--baseline",
    questions: `--questions ${options.questions}`,
  });
  if (matched.unmatched > 0)
    writeLine(
      io.stderr,
      `${COMMAND}: ${matched.unmatched} of ${questions.length} questions lack our answer or the baseline's; left out.`,
    );
  warnOfMissingAnswers(ours, COMMAND, io.stderr);

  const prompt = judgePromptOf(options.judgeTemplate, ["QUESTION", "ANSWER_A", "ANSWER_B"], {
    template: ARENA_HARD_JUDGE_PROMPT,
    name: "tpo:arena-hard-judge-v1",
  });
  const settings = judgeSettings(options, ours.recordedModels, io.env, results);
  const maxTokensGiven = options.judgeMaxTokens !== undefined || io.env.TPO_JUDGE_MAX_TOKENS?.trim();
  const maxTokens = maxTokensGiven ? settings.maxTokens : ARENA_HARD_JUDGE_MAX_TOKENS;
  const run = { ...matched, prompt, maxTokens };
  const judge = { description: describeJudge(settings) };
  // With --queue the workers judge with their own judge; this command names it.
  const model = onQueue ? undefined : judgeChatModel(settings);
  const judgeAs = judgeName({ judge: judge.description });

  const session = await openJudgingSession(
    out,
    options.cache,
    judge.description,
    settings.price,
    COMMAND,
    io.stderr,
  );
  const { cached } = session;
  const usage: JudgeUsage = noUsage();
  let judged = 0;
  let nullGames = 0;
  let detached = false;
  try {
    const done = previousJudgments(out, run, judge, {
      overwrite: options.overwrite,
      warn: warnOnStderr(COMMAND, io.stderr),
    });
    const todo = matchesToJudge(run, done);
    const writer = new ResultsWriter<Judgment>(out, { truncate: options.overwrite });
    const onJudged = (j: Judgment) => {
      done.set(j.uid, j);
      addUsage(usage, j.tpo.usage);
      nullGames += nullGamesOf(j);
      judged++;
    };
    const kept = () => run.matches.filter((m) => done.has(m.uid)).length;
    const detail = () => `${nullGames} games without a verdict`;
    try {
      if (onQueue) {
        const outcome = await judgeOnQueue(todo, onQueue, {
          command: COMMAND,
          out,
          quiet: options.quiet,
          stderr: io.stderr,
          env: io.env,
          jobOf: (m: ArenaHardMatch) => judgeJobOf(arenaHardTaskOf(run, m), m.uid, judge.description.model),
          misfit: otherJudgeOf(judgeAs),
          writer,
          onJudged,
          kept,
          total: run.matches.length,
          detail,
        });
        detached = outcome === "detached";
      } else {
        await judgeInBatch(todo, {
          stderr: io.stderr,
          command: COMMAND,
          out,
          concurrency,
          quiet: options.quiet,
          kept,
          total: run.matches.length,
          idOf: (m) => `question ${m.uid}`,
          detail,
          judge: (m) =>
            judgeArenaHardTask(
              { ...judge, model: model!, cache: cached?.judgeCache },
              arenaHardTaskOf(run, m),
            ),
          writer,
          onJudged,
        });
      }
    } finally {
      writer.close();
    }
  } finally {
    await session.close();
  }
  if (detached) return;
  if (nullGames > 0) {
    writeLine(
      io.stderr,
      `${COMMAND}: ${nullGames} games got no verdict after asking again; their judgments count as missing.`,
    );
  }
  const summary = {
    judged,
    kept: run.matches.length - judged,
    out,
    judge: judgeAs,
    prompt: prompt.name,
    baseline: baseline.model,
    usage,
    price: settings.price,
    simulated: isSimulatedJudge(judge.description), // backend "sim" in process, tpo-sim… behind a sim-server
  };
  const rows = scoreArenaHardAction(
    [out],
    { baseline: baseline.model, category: options.category, seed: "0", json: options.json, judging: summary },
    io,
  );
  printJudgeSummary(summary, options.json === true, io);
  if (options.langsmithExperiment !== undefined)
    await uploadArenaHardScores(options.langsmithExperiment, out, ours, rows, io, options.json);
  if (cached) writeLine(options.json ? io.stderr : io.stdout, cached.savedLine());
}
