import { existsSync, statSync, unlinkSync } from "node:fs";
import type { Annotation } from "../../eval/alpaca-eval/judged-files.js";
import {
  alpacaEvalJudging,
  alpacaEvalTaskOf,
  annotationsInOrder,
  journalOf,
  judgeAlpacaEvalTask,
  pairsToJudge,
  parseReference,
  matchAlpacaEvalPairs,
  previousAnnotations,
  type AlpacaEvalPair,
} from "../../eval/leaderboard/alpaca-eval-judging.js";
import {
  ALPACA_EVAL_TOP_LOGPROBS,
  addUsage,
  noUsage,
  type JudgeUsage,
} from "../../eval/leaderboard/judge-calls.js";
import { ALPACA_EVAL_JUDGE_PROMPT } from "../../prompts/leaderboard-judges.js";
import { otherJudgeOf } from "../../eval/leaderboard/judging.js";
import { judgeJobOf } from "../../queue/judge-job.js";
import { isSimulatedJudge, judgeName } from "../../eval/compare/summary.js";
import { ResultsWriter } from "../../eval/batch/results-file.js";
import { writeAtomically } from "../atomic-write.js";
import { openJudgingSession } from "../eval/judging-session.js";
import { checkOutTarget, refuseInputAsOut } from "../batch/out-file.js";
import { describeJudge, judgeChatModel, judgeSettings } from "../compare/judge-settings.js";
import { numberFlag } from "../flags.js";
import { readTextInput } from "../read-input.js";
import { readOurAnswers, warnOfMissingAnswers } from "../eval/answers.js";
import { judgeInBatch } from "../eval/judge-batch.js";
import { judgeQueueOf, judgeOnQueue, type JudgeQueueOptions } from "../eval/judge-queue.js";
import { judgePromptOf } from "../eval/judge-template.js";
import { printJudgeSummary } from "../eval/judge-footer.js";
import { writeLine, type CliIo } from "../io.js";
import { uploadAlpacaEvalScores } from "../langsmith.js";
import { scoreAlpacaEvalAction } from "./eval-score.js";

export interface JudgeAlpacaEvalOptions extends Record<string, unknown>, JudgeQueueOptions {
  baseline: string;
  out: string;
  mode?: string;
  iteration?: string;
  modelName?: string;
  discrete?: boolean;
  judgeTemplate?: string;
  gamed?: string;
  concurrency: string;
  overwrite?: boolean;
  json?: boolean;
  quiet?: boolean;
  langsmithExperiment?: string;
  /** A SQLite file or postgres:// URL of the persistent cache of the judge's verdicts (../cache-option.ts). */
  cache?: string;
}

const COMMAND = "tpo eval alpaca-eval";

/** `tpo eval alpaca-eval`'s work; ../declare/eval.ts declares the command and loads this on demand. */
export async function judgeAlpacaEvalAction(
  results: string,
  options: JudgeAlpacaEvalOptions,
  io: CliIo,
): Promise<void> {
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  const onQueue = judgeQueueOf(options);
  const out = options.out;
  const journal = journalOf(out);
  checkOutTarget(out);
  refuseInputAsOut(out, [
    { path: results, what: "<results>" },
    { path: options.baseline, what: "--baseline" },
    ...(options.judgeTemplate ? [{ path: options.judgeTemplate, what: "--judge-template" }] : []),
  ]);
  const ours = readOurAnswers(results, options, COMMAND, io.stderr);
  const reference = parseReference(
    readTextInput(options.baseline, "--baseline"),
    `--baseline ${options.baseline}`,
  );
  const matched = matchAlpacaEvalPairs(
    reference,
    { answers: ours.answers.values(), model: ours.model },
    { results, baseline: `--baseline ${options.baseline}` },
  );
  if (matched.unmatched > 0)
    writeLine(
      io.stderr,
      `${COMMAND}: ${matched.unmatched} of ${reference.length} instructions have no answer in ${results}; left out.`,
    );
  warnOfMissingAnswers(ours, COMMAND, io.stderr);

  const prompt = judgePromptOf(options.judgeTemplate, ["instruction", "output_1", "output_2"], {
    template: ALPACA_EVAL_JUDGE_PROMPT,
    name: "tpo:alpaca-eval-judge-v1",
  });
  const method = options.discrete ? "discrete" : "weighted";
  const run = alpacaEvalJudging(matched, prompt, method);
  const settings = judgeSettings(options, ours.recordedModels, io.env, results);
  const judge = { description: describeJudge(settings) };
  // With --queue the workers judge with their own judge; this command names it.
  const model = onQueue
    ? undefined
    : judgeChatModel(settings, method === "weighted" ? { topLogprobs: ALPACA_EVAL_TOP_LOGPROBS } : {});
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
  try {
    const done = options.overwrite ? new Map<string, Annotation>() : previousAnnotations(out, run, judge);
    if (options.overwrite && existsSync(journal)) unlinkSync(journal);
    const todo = pairsToJudge(run, done);
    const writer = new ResultsWriter<Annotation>(journal);
    const onJudged = (row: Annotation) => {
      done.set(row.instruction, row);
      addUsage(usage, row.tpo.usage);
      judged++;
    };
    const kept = () => run.pairs.filter((p) => done.has(p.reference.instruction)).length;
    let detached = false;
    try {
      if (onQueue) {
        const outcome = await judgeOnQueue(todo, onQueue, {
          command: COMMAND,
          out,
          journal, // where a failed run's judgments wait for the rerun
          quiet: options.quiet,
          stderr: io.stderr,
          env: io.env,
          jobOf: (pair: AlpacaEvalPair) =>
            judgeJobOf(alpacaEvalTaskOf(run, pair), pair.ours.id, judge.description.model),
          misfit: otherJudgeOf(judgeAs),
          writer,
          onJudged,
          kept,
          total: run.pairs.length,
        });
        detached = outcome === "detached";
      } else {
        await judgeInBatch(todo, {
          stderr: io.stderr,
          command: COMMAND,
          out: journal, // where a failed run's judgments wait for the rerun
          concurrency,
          quiet: options.quiet,
          kept,
          total: run.pairs.length,
          idOf: (pair) => `instruction "${pair.reference.instruction.slice(0, 40)}"`,
          judge: (pair) =>
            judgeAlpacaEvalTask(
              { ...judge, model: model!, cache: cached?.judgeCache },
              alpacaEvalTaskOf(run, pair),
            ),
          writer,
          onJudged,
        });
      }
    } finally {
      writer.close();
      if (statSync(journal).size === 0) unlinkSync(journal); // nothing judged: no journal left behind
    }
    if (detached) return;
    writeAtomically(out, `${JSON.stringify(annotationsInOrder(run, done), null, 2)}\n`);
    if (existsSync(journal)) unlinkSync(journal);
  } finally {
    await session.close();
  }
  const summary = {
    judged,
    kept: run.pairs.length - judged,
    out,
    judge: judgeAs,
    prompt: prompt.name,
    method:
      method === "weighted"
        ? "weighted by the judge's log-probabilities of m and M"
        : "DISCRETE (--discrete): the label the judge wrote, not the leaderboard's weighted preference",
    baseline: run.generator1,
    usage,
    price: settings.price,
    simulated: isSimulatedJudge(judge.description), // backend "sim" in process, tpo-sim… behind a sim-server
  };
  const scores = scoreAlpacaEvalAction(
    out,
    { gamed: options.gamed, json: options.json, judging: summary },
    io,
  );
  printJudgeSummary(summary, options.json === true, io);
  if (options.langsmithExperiment !== undefined)
    await uploadAlpacaEvalScores(options.langsmithExperiment, out, ours, scores, io, options.json);
  if (cached) writeLine(options.json ? io.stderr : io.stdout, cached.savedLine());
}
