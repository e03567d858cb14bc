import { z } from "zod";
import { TpoFileError } from "../../errors.js";
import { candidateId } from "../../state/state.js";
import { AnswerSchema, JudgmentSchema, QuestionSchema, type Judgment } from "../arena-hard/judged-files.js";
import { previousResults, type Warn } from "../batch/results-file.js";
import { judgeName } from "../compare/summary.js";
import { addUsage, judgeMessages, judgeVerdict, noUsage, wireMessages } from "./judge-calls.js";
import {
  JudgePromptSchema,
  refuseOtherRun,
  type JudgePrompt,
  type JudgingLabels,
  type LeaderboardJudge,
  type OurAnswer,
} from "./judging.js";

/**
 * `tpo eval arena-hard`'s judging as a library: which questions have both answers, which of them
 * an earlier run judged already, and one question's two games (the task a queue worker runs too).
 * The caller reads the files, holds the lock and writes.
 */

/** Tokens a judgment may take unless the judge's settings say otherwise: arena-hard-v2.0.yaml's max_tokens (the judge writes its own answer first). */
export const ARENA_HARD_JUDGE_MAX_TOKENS = 16000;

/** One question to judge: our answer and the baseline's. */
export interface ArenaHardMatch {
  uid: string;
  category: string;
  question: string;
  ours: OurAnswer;
  baseline: string;
}

/** The questions that have both answers, and the models' names. */
export interface ArenaHardMatches {
  matches: ArenaHardMatch[];
  /** Questions without our answer or the baseline's. */
  unmatched: number;
  model: string;
  baselineModel: string;
}

/** What a judging run judges: the matches, with the prompt and the judge's token limit. */
export interface ArenaHardJudging extends ArenaHardMatches {
  prompt: JudgePrompt;
  maxTokens: number;
}

/** A JSONL text's rows, each checked: a bad line is one TpoFileError naming `where` and the line. */
function parseJsonl<T>(text: string, where: string, schema: z.ZodType<T>, expected: string): T[] {
  return text.split("\n").flatMap((line, n) => {
    if (line.trim() === "") return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TpoFileError(`${where} line ${n + 1} is not JSON: expected ${expected}.`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new TpoFileError(`${where} line ${n + 1} is not ${expected}.`);
    return [parsed.data];
  });
}

export type ArenaHardQuestion = z.infer<typeof QuestionSchema>;

/** arena-hard-auto's question.jsonl from its text; `where` names it ("--questions question.jsonl"). */
export function parseQuestions(text: string, where: string): ArenaHardQuestion[] {
  return parseJsonl(text, where, QuestionSchema, "an arena-hard-auto question ({ uid, category, prompt })");
}

/** The baseline's answers by uid (arena-hard-auto's model_answer lines: the answer at messages[-1].content.answer), and its model. */
export function parseBaselineAnswers(
  text: string,
  where: string,
): { model: string; answers: Map<string, string> } {
  const rows = parseJsonl(text, where, AnswerSchema, "an arena-hard-auto answer ({ uid, model, messages })");
  if (rows.length === 0) throw new TpoFileError(`${where} has no answers.`);
  const models = [...new Set(rows.map((r) => r.model))];
  if (models.length > 1)
    throw new TpoFileError(`${where} holds several models (${models.join(", ")}): give one.`);
  const answers = new Map<string, string>();
  for (const row of rows) {
    const content = row.messages[row.messages.length - 1]!.content as { answer?: unknown } | string;
    const text = typeof content === "string" ? content : content?.answer;
    if (typeof text !== "string") {
      throw new TpoFileError(
        `${where}: the answer to ${row.uid} has no text at messages[-1].content.answer.`,
      );
    }
    answers.set(row.uid, text);
  }
  return { model: models[0]!, answers };
}

/** Matches each question with our answer (by id = uid) and the baseline's. */
export function matchArenaHardQuestions(
  questions: readonly ArenaHardQuestion[],
  ours: { answers: ReadonlyMap<string, OurAnswer>; model: string },
  baseline: { model: string; answers: ReadonlyMap<string, string> },
  files: Pick<JudgingLabels, "results" | "baseline"> & { questions: string },
): ArenaHardMatches {
  const matches = questions.flatMap((q) => {
    const answer = ours.answers.get(q.uid);
    const theirs = baseline.answers.get(q.uid);
    return answer && theirs !== undefined
      ? [{ uid: q.uid, category: q.category ?? "", question: q.prompt, ours: answer, baseline: theirs }]
      : [];
  });
  if (matches.length === 0) {
    throw new TpoFileError(
      `No question of ${files.questions} has both an answer in ${files.results} (by id = uid) and one in ${files.baseline}.`,
    );
  }
  return {
    matches,
    unmatched: questions.length - matches.length,
    model: ours.model,
    baselineModel: baseline.model,
  };
}

/**
 * What earlier runs left in `out` (gen_judgment.py skips what its output holds: a rerun
 * continues), by uid; with `overwrite`, nothing. Judgments of another judge, prompt, baseline or
 * model are refused (TpoFileError).
 */
export function previousJudgments(
  out: string,
  run: ArenaHardJudging,
  judge: Pick<LeaderboardJudge, "description">,
  options: { overwrite?: boolean; warn?: Warn },
): Map<string, Judgment> {
  const done = previousResults(
    out,
    { resume: true, overwrite: options.overwrite },
    "tpo eval arena-hard",
    { schema: JudgmentSchema, key: (j) => j.uid },
    options.warn,
  );
  for (const j of done.values()) {
    refuseOtherRun(out, [
      ["judge", judgeName({ judge: j.tpo.judge }), judgeName({ judge: judge.description })],
      ["prompt", j.tpo.prompt, run.prompt.name],
      ["baseline", j.baseline, run.baselineModel],
      ["model", j.model, run.model],
    ]);
  }
  return done;
}

/** The ids of a match's two answers, as a judgment records them: a changed answer is judged again. */
export function answerIdsOfMatch(m: ArenaHardMatch): { model: string; baseline: string } {
  return { model: candidateId(m.ours.text), baseline: candidateId(m.baseline) };
}

/** The matches without a judgment of the same two answers in `done`. */
export function matchesToJudge(run: ArenaHardJudging, done: ReadonlyMap<string, Judgment>): ArenaHardMatch[] {
  return run.matches.filter((m) => {
    const j = done.get(m.uid);
    const ids = answerIdsOfMatch(m);
    return j === undefined || j.tpo.answers.model !== ids.model || j.tpo.answers.baseline !== ids.baseline;
  });
}

/** One question's judging, as data: everything its judgment depends on but the judge (what a queue job carries). */
export const ArenaHardTaskSchema = z.object({
  leaderboard: z.literal("arena-hard"),
  uid: z.string(),
  category: z.string(),
  question: z.string(),
  answer: z.string(),
  baselineAnswer: z.string(),
  model: z.string(),
  baseline: z.string(),
  prompt: JudgePromptSchema,
  maxTokens: z.number().int().positive(),
});
export type ArenaHardTask = z.infer<typeof ArenaHardTaskSchema>;

export function arenaHardTaskOf(run: ArenaHardJudging, m: ArenaHardMatch): ArenaHardTask {
  return {
    leaderboard: "arena-hard",
    uid: m.uid,
    category: m.category,
    question: m.question,
    answer: m.ours.text,
    baselineAnswer: m.baseline,
    model: run.model,
    baseline: run.baselineModel,
    prompt: run.prompt,
    maxTokens: run.maxTokens,
  };
}

/** Games without a verdict in a judgment (the judge gave none twice): they count as missing. */
export const nullGamesOf = (j: Judgment) => j.games.filter((g) => g?.score === null).length;

/** Judges one question in both orders, as gen_judgment.py does: game 1 shows the baseline as A, game 2 our answer as A. */
export async function judgeArenaHardTask(judge: LeaderboardJudge, task: ArenaHardTask): Promise<Judgment> {
  const spent = noUsage();
  const game = async (a: string, b: string) => {
    const messages = judgeMessages(task.prompt.template, {
      QUESTION: task.question,
      ANSWER_A: a,
      ANSWER_B: b,
    });
    const verdict = await judgeVerdict(judge.model, messages, task.maxTokens, judge.cache);
    addUsage(spent, verdict.usage);
    return { score: verdict.score, judgment: { answer: verdict.answer }, prompt: wireMessages(messages) };
  };
  const games: Judgment["games"] = [
    await game(task.baselineAnswer, task.answer),
    await game(task.answer, task.baselineAnswer),
  ];
  return {
    uid: task.uid,
    category: task.category,
    judge: judge.description.model,
    model: task.model,
    baseline: task.baseline,
    games,
    tpo: {
      judge: judge.description,
      prompt: task.prompt.name,
      answers: { model: candidateId(task.answer), baseline: candidateId(task.baselineAnswer) },
      usage: spent,
    },
  };
}
