import { readFileSync } from "node:fs";
import { AnnotationSchema, type Annotation } from "../eval/alpaca-eval/judged-files.js";
import type { LengthControlledWinRate } from "../eval/alpaca-eval/length-controlled.js";
import type { WinRate } from "../eval/alpaca-eval/win-rate.js";
import { JudgmentSchema, type Judgment } from "../eval/arena-hard/judged-files.js";
import { scoresForA } from "../eval/arena-hard/judgments.js";
import type { ArenaHardScore } from "../eval/arena-hard/scores.js";
import { scanResults } from "../eval/batch/results-file.js";
import type { OurAnswers } from "../eval/leaderboard/our-answers.js";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { untilStopped, type LangSmithConnection } from "./client.js";
import { experimentName } from "./experiment.js";
import { stableUuid } from "./ids.js";
import { experimentRuns, heldFeedback } from "./runs.js";

/** One example's judge preference: 1 when the judge preferred our answer to the baseline's, 0 the other way. */
export interface ExamplePreference {
  /** The query id of the example. */
  id: string;
  score: number;
  comment: string;
}

/** What a leaderboard judging puts in LangSmith: a score per example, the summary on the experiment. */
export interface LeaderboardFeedback {
  /** The experiment of our answers' mode (`<name>-<mode>`, as `tpo batch` named it). */
  experiment: string;
  /** The feedback key of each example's preference. */
  key: string;
  preferences: ExamplePreference[];
  /** The summary scores, added to the experiment's metadata. */
  summary: Record<string, number | string>;
}

/**
 * The experiment and the key prefix of the answers that were judged, from their label (`tpo`,
 * `first:tpo`, `tpo@iteration2`): the mode's experiment, and a prefix that says which of its
 * answers (`alpaca_eval`, `alpaca_eval_first_samples`, `alpaca_eval_iteration2`).
 */
function targetOf(name: string, label: string, leaderboard: string): { experiment: string; prefix: string } {
  const [, first, mode, iteration] = /^(first:)?([^@]+)(?:@iteration(\d+))?$/.exec(label) ?? [];
  const variant = first ? "_first_samples" : iteration !== undefined ? `_iteration${iteration}` : "";
  return { experiment: experimentName(name, mode ?? label), prefix: `${leaderboard}${variant}` };
}

/**
 * AlpacaEval's annotations as feedback: per example `alpaca_eval_win`, alpaca_eval's preference
 * − 1 (1 when the judge preferred our output, output_2); on the experiment the win rate, its
 * standard error, the LC win rate when computed, the number of annotations, baseline and judge.
 * `idOf` gives the query id of an instruction; an annotation without a preference is left out.
 */
export function alpacaEvalFeedback(
  target: { name: string; label: string },
  annotations: Annotation[],
  idOf: ReadonlyMap<string, string>,
  scores: WinRate & Partial<LengthControlledWinRate>,
): LeaderboardFeedback {
  const { experiment, prefix } = targetOf(target.name, target.label, "alpaca_eval");
  const preferences = annotations.flatMap((row) => {
    const id = idOf.get(row.instruction);
    if (id === undefined || row.preference === null) return [];
    return [
      {
        id,
        score: row.preference - 1,
        comment: `${row.annotator} judged by ${row.tpo.judge.model}, against ${row.generator_1}`,
      },
    ];
  });
  const first = annotations[0];
  return {
    experiment,
    key: `${prefix}_win`,
    preferences,
    summary: {
      [`${prefix}_win_rate`]: scores.win_rate,
      [`${prefix}_standard_error`]: scores.standard_error,
      ...(scores.length_controlled_winrate === undefined
        ? {}
        : {
            [`${prefix}_lc_win_rate`]: scores.length_controlled_winrate,
            [`${prefix}_lc_standard_error`]: scores.lc_standard_error!,
          }),
      [`${prefix}_annotations`]: scores.n_total,
      ...(first ? { [`${prefix}_baseline`]: first.generator_1, [`${prefix}_judge`]: first.annotator } : {}),
    },
  };
}

/**
 * Arena-Hard's judgments as feedback: per question `arena_hard_win`, our share of its games as
 * arena-hard-auto scores them (both orders, a strong verdict counting three; a judgment with a
 * null game left out), the verdicts as the comment; on the experiment our score and its interval,
 * with baseline and judge.
 */
export function arenaHardFeedback(
  target: { name: string; label: string },
  judgments: Judgment[],
  ours: ArenaHardScore | undefined,
): LeaderboardFeedback {
  const { experiment, prefix } = targetOf(target.name, target.label, "arena_hard");
  const preferences = judgments.flatMap((j) => {
    const [first, second] = j.games.map((g) => g?.score ?? null);
    const baselineFirst = first === null ? undefined : scoresForA(first);
    const oursFirst = second === null ? undefined : scoresForA(second);
    if (!baselineFirst || !oursFirst) return [];
    // Game 1 shows the baseline as A, game 2 our answer: our scores are game 2's for A, then 1 − game 1's.
    const games = [...oursFirst, ...baselineFirst.map((s) => 1 - s)];
    return [
      {
        id: j.uid,
        score: games.reduce((sum, s) => sum + s, 0) / games.length,
        comment: `baseline shown first: ${first}; ours shown first: ${second} (judge ${j.judge}, against ${j.baseline})`,
      },
    ];
  });
  const first = judgments[0];
  return {
    experiment,
    key: `${prefix}_win`,
    preferences,
    summary: {
      ...(ours
        ? {
            [`${prefix}_score`]: ours.score,
            [`${prefix}_ci_lower`]: ours.lower,
            [`${prefix}_ci_upper`]: ours.upper,
          }
        : {}),
      ...(first ? { [`${prefix}_baseline`]: first.baseline, [`${prefix}_judge`]: first.judge } : {}),
    },
  };
}

/** `tpo eval alpaca-eval`'s feedback: the annotations of its judged file `out`, our answers' ids, and its scores. */
export function alpacaEvalFeedbackOfFile(
  name: string,
  out: string,
  ours: Pick<OurAnswers, "answers" | "label">,
  scores: WinRate & Partial<LengthControlledWinRate>,
): LeaderboardFeedback {
  const annotations = AnnotationSchema.array().parse(JSON.parse(readFileSync(out, "utf8")));
  const idOf = new Map([...ours.answers.values()].map((a) => [a.query, a.id]));
  return alpacaEvalFeedback({ name, label: ours.label }, annotations, idOf, scores);
}

/** `tpo eval arena-hard`'s feedback: the judgments of its judged file `out` (a question judged again: its last line), and our row of the scores. */
export function arenaHardFeedbackOfFile(
  name: string,
  out: string,
  ours: Pick<OurAnswers, "model" | "label">,
  rows: readonly ArenaHardScore[],
): LeaderboardFeedback {
  const latest = new Map<string, Judgment>();
  scanResults(out, JudgmentSchema, (j) => latest.set(j.uid, j));
  const row = rows.find((r) => r.model === ours.model.split("/").at(-1));
  return arenaHardFeedback({ name, label: ours.label }, [...latest.values()], row);
}

/** What a leaderboard upload did: examples with a run in the experiment, feedback scores sent. */
export interface LeaderboardCount {
  examples: number;
  feedback: number;
  /** Judged examples whose query has no run in the experiment. */
  withoutRun: number;
}

/**
 * Puts each example's preference on the experiment's run of that example, and the summary in the
 * experiment's metadata (beside what is there). Feedback ids derive from the run and the key, so
 * a rerun sends only what changed: a score already there is left, one that changed is updated.
 */
export async function uploadLeaderboardFeedback(
  connection: LangSmithConnection,
  feedback: LeaderboardFeedback,
): Promise<LeaderboardCount> {
  const { client } = connection;
  return untilStopped(
    connection,
    (async () => {
      const experiment = await experimentRuns(client, feedback.experiment);
      const onRuns = feedback.preferences.flatMap((p) => {
        const runId = experiment.runs.get(p.id);
        return runId === undefined ? [] : [{ ...p, runId, feedbackId: stableUuid(runId, feedback.key) }];
      });
      const held = await heldFeedback(
        client,
        onRuns.map((p) => p.runId),
        [feedback.key],
      );
      // LangSmith keeps scores to 4 decimals: a score equal to that is already there.
      const same = (a: unknown, b: number) => typeof a === "number" && a === Number(b.toFixed(4));
      const changed = onRuns.filter((p) => !same(held.get(p.feedbackId), p.score));
      await mapWithConcurrency(changed, 4, async (p) => {
        if (held.has(p.feedbackId)) {
          await client.updateFeedback(p.feedbackId, { score: p.score, comment: p.comment });
          return;
        }
        await client.createFeedback({
          runId: p.runId,
          sessionId: experiment.id,
          key: feedback.key,
          score: p.score,
          comment: p.comment,
          feedbackId: p.feedbackId,
          feedbackSourceType: "model",
          sourceInfo: { source: "langgraph-tpo eval" },
        });
      });
      const metadata = (experiment.project.extra?.metadata ?? {}) as Record<string, unknown>;
      if (Object.entries(feedback.summary).some(([key, value]) => metadata[key] !== value)) {
        await client.updateProject(experiment.id, {
          name: experiment.project.name,
          description: experiment.project.description ?? null,
          projectExtra: experiment.project.extra ?? null,
          metadata: { ...metadata, ...feedback.summary },
        });
      }
      return {
        examples: onRuns.length,
        feedback: changed.length,
        withoutRun: feedback.preferences.length - onRuns.length,
      };
    })(),
  );
}
