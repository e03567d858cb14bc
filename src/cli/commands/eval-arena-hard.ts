import { z } from "zod";
import {
  AnswerSchema,
  JudgmentSchema,
  QuestionSchema,
  type Judgment,
} from "../../eval/arena-hard/judged-files.js";
import { ARENA_HARD_JUDGE_PROMPT } from "../../prompts/leaderboard-judges.js";
import { candidateId } from "../../state/state.js";
import { lockResults } from "../batch/lock.js";
import { openJudgeCacheOption } from "../cache-option.js";
import { checkOutTarget, refuseInputAsOut } from "../batch/out-file.js";
import { previousResults, ResultsWriter } from "../../eval/batch/results-file.js";
import { describeJudge, judgeChatModel, judgeSettings } from "../compare/judge-settings.js";
import { judgeName } from "../../eval/compare/summary.js";
import { CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { numberFlag } from "../flags.js";
import { readTextInput } from "../read-input.js";
import { readOurAnswers, warnOfMissingAnswers, type OurAnswer } from "../eval/answers.js";
import { judgeInBatch } from "../eval/judge-batch.js";
import { writeLine, type CliIo } from "../io.js";
import {
  addUsage,
  judgeMessages,
  judgeVerdict,
  noUsage,
  wireMessages,
  type JudgeUsage,
} from "../../eval/leaderboard/judge-calls.js";
import { judgeFooter } from "../eval/judge-footer.js";
import { judgePromptOf } from "../eval/judge-template.js";
import { warnOnStderr } from "../warn.js";
import { refuseOtherRun } from "../eval/other-run.js";
import { scoreArenaHardAction } from "./eval-score.js";

export interface JudgeArenaHardOptions extends Record<string, unknown> {
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
  /** A SQLite file or postgres:// URL of the persistent cache of the judge's verdicts (../cache-option.ts). */
  cache?: string;
}

const COMMAND = "tpo eval arena-hard";

/** Tokens a judgment may take unless --judge-max-tokens says otherwise: arena-hard-v2.0.yaml's max_tokens (the judge writes its own answer first). */
export const ARENA_HARD_JUDGE_MAX_TOKENS = 16000;

/** A JSONL file's rows, each checked: a bad line is one usage error naming the file and line. */
function readJsonl<T>(path: string, flag: string, schema: z.ZodType<T>, expected: string): T[] {
  return readTextInput(path, flag)
    .split("\n")
    .flatMap((line, n) => {
      if (line.trim() === "") return [];
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new CliUsageError(`${flag} ${path} line ${n + 1} is not JSON: expected ${expected}.`);
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new CliUsageError(`${flag} ${path} line ${n + 1} is not ${expected}.`);
      return [parsed.data];
    });
}

/** The baseline's answers by uid (arena-hard-auto's model_answer lines: the answer at messages[-1].content.answer), and its model. */
function readBaseline(path: string): { model: string; answers: Map<string, string> } {
  const rows = readJsonl(
    path,
    "--baseline",
    AnswerSchema,
    "an arena-hard-auto answer ({ uid, model, messages })",
  );
  if (rows.length === 0) throw new CliUsageError(`--baseline ${path} has no answers.`);
  const models = [...new Set(rows.map((r) => r.model))];
  if (models.length > 1)
    throw new CliUsageError(`--baseline ${path} holds several models (${models.join(", ")}): give one.`);
  const answers = new Map<string, string>();
  for (const row of rows) {
    const content = row.messages[row.messages.length - 1]!.content as { answer?: unknown } | string;
    const text = typeof content === "string" ? content : content?.answer;
    if (typeof text !== "string") {
      throw new CliUsageError(
        `--baseline ${path}: the answer to ${row.uid} has no text at messages[-1].content.answer.`,
      );
    }
    answers.set(row.uid, text);
  }
  return { model: models[0]!, answers };
}

interface Match {
  uid: string;
  category: string;
  question: string;
  ours: OurAnswer;
  baseline: string;
}

/** `tpo eval arena-hard`'s work; ../declare/eval.ts declares the command and loads this on demand. */
export async function judgeArenaHardAction(
  results: string,
  options: JudgeArenaHardOptions,
  io: CliIo,
): Promise<void> {
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  const out = options.out;
  checkOutTarget(out);
  refuseInputAsOut(out, [
    { path: results, what: "<results>" },
    { path: options.baseline, what: "--baseline" },
    { path: options.questions, what: "--questions" },
    ...(options.judgeTemplate ? [{ path: options.judgeTemplate, what: "--judge-template" }] : []),
  ]);
  const ours = readOurAnswers(results, options, COMMAND, io.stderr);
  const questions = readJsonl(
    options.questions,
    "--questions",
    QuestionSchema,
    "an arena-hard-auto question ({ uid, category, prompt })",
  );
  const baseline = readBaseline(options.baseline);
  const matches: Match[] = questions.flatMap((q) => {
    const answer = ours.answers.get(q.uid);
    const theirs = baseline.answers.get(q.uid);
    return answer && theirs !== undefined
      ? [{ uid: q.uid, category: q.category ?? "", question: q.prompt, ours: answer, baseline: theirs }]
      : [];
  });
  if (matches.length === 0) {
    throw new CliUsageError(
      `No question of --questions ${options.questions} has both an answer in ${results} (by id = uid) and one in --baseline.`,
    );
  }
  const unmatched = questions.length - matches.length;
  if (unmatched > 0)
    writeLine(
      io.stderr,
      `${COMMAND}: ${unmatched} of ${questions.length} questions lack our answer or the baseline's; left out.`,
    );
  warnOfMissingAnswers(ours, COMMAND, io.stderr);

  const prompt = judgePromptOf(options.judgeTemplate, ["QUESTION", "ANSWER_A", "ANSWER_B"], {
    template: ARENA_HARD_JUDGE_PROMPT,
    name: "tpo:arena-hard-judge-v1",
  });
  const settings = judgeSettings(options, ours.recordedModels, io.env, results);
  const maxTokensGiven = options.judgeMaxTokens !== undefined || io.env.TPO_JUDGE_MAX_TOKENS?.trim();
  const maxTokens = maxTokensGiven ? settings.maxTokens : ARENA_HARD_JUDGE_MAX_TOKENS;
  const judge = describeJudge(settings);
  const model = judgeChatModel(settings);

  const release = lockResults(out, COMMAND);
  const cached = await openJudgeCacheOption(options.cache, judge, settings.price, COMMAND, io.stderr).catch(
    (error: unknown) => {
      release();
      throw error;
    },
  );
  const usage: JudgeUsage = noUsage();
  let judged = 0;
  let nullGames = 0;
  try {
    // gen_judgment.py skips what its output holds: a rerun continues, --overwrite starts again.
    const done = previousResults(
      out,
      { resume: true, overwrite: options.overwrite },
      COMMAND,
      { schema: JudgmentSchema, key: (j) => j.uid },
      warnOnStderr(COMMAND, io.stderr),
    );
    for (const j of done.values()) {
      refuseOtherRun(out, [
        ["judge", judgeName({ judge: j.tpo.judge }), judgeName({ judge })],
        ["prompt", j.tpo.prompt, prompt.name],
        ["baseline", j.baseline, baseline.model],
        ["model", j.model, ours.model],
      ]);
    }
    const ids = (m: Match) => ({ model: candidateId(m.ours.text), baseline: candidateId(m.baseline) });
    const todo = matches.filter((m) => {
      const j = done.get(m.uid);
      return (
        j === undefined || j.tpo.answers.model !== ids(m).model || j.tpo.answers.baseline !== ids(m).baseline
      );
    });
    const writer = new ResultsWriter<Judgment>(out, { truncate: options.overwrite });
    try {
      await judgeInBatch(todo, {
        stderr: io.stderr,
        command: COMMAND,
        out,
        concurrency,
        quiet: options.quiet,
        kept: () => matches.filter((m) => done.has(m.uid)).length,
        total: matches.length,
        idOf: (m) => `question ${m.uid}`,
        detail: () => `${nullGames} games without a verdict`,
        judge: async (m) => {
          const spent = noUsage();
          // Game 1 shows the baseline as A, game 2 our answer as A: gen_judgment.py's two rounds.
          const game = async (a: string, b: string) => {
            const messages = judgeMessages(prompt.template, {
              QUESTION: m.question,
              ANSWER_A: a,
              ANSWER_B: b,
            });
            const verdict = await judgeVerdict(model, messages, maxTokens, cached?.judgeCache);
            addUsage(spent, verdict.usage);
            return {
              score: verdict.score,
              judgment: { answer: verdict.answer },
              prompt: wireMessages(messages),
            };
          };
          const games: Judgment["games"] = [
            await game(m.baseline, m.ours.text),
            await game(m.ours.text, m.baseline),
          ];
          const judgment: Judgment = {
            uid: m.uid,
            category: m.category,
            judge: judge.model,
            model: ours.model,
            baseline: baseline.model,
            games,
            tpo: { judge, prompt: prompt.name, answers: ids(m), usage: spent },
          };
          return judgment;
        },
        keep: (j) => {
          writer.append(j);
          done.set(j.uid, j);
          addUsage(usage, j.tpo.usage);
          nullGames += j.games.filter((g) => g?.score === null).length;
          judged++;
        },
      });
    } finally {
      writer.close();
    }
  } finally {
    release();
    await cached?.cache.close();
  }
  if (nullGames > 0) {
    writeLine(
      io.stderr,
      `${COMMAND}: ${nullGames} games got no verdict after asking again; their judgments count as missing.`,
    );
  }
  scoreArenaHardAction(
    [out],
    {
      baseline: baseline.model,
      category: options.category,
      seed: "0",
      json: options.json,
    },
    io,
  );
  const lines = judgeFooter({
    judged,
    kept: matches.length - judged,
    out,
    judge: judgeName({ judge }),
    prompt: prompt.name,
    baseline: baseline.model,
    usage,
    simulated: settings.backend === "sim" || judge.model.startsWith("tpo-sim"),
  });
  writeLine(options.json ? io.stderr : io.stdout, escapeControl(lines.join("\n")));
  if (cached) writeLine(options.json ? io.stderr : io.stdout, cached.savedLine());
}
