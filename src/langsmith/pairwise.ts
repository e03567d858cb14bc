import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { untilStopped, type LangSmithConnection } from "./client.js";
import { experimentName } from "./experiment.js";
import { stableUuid } from "./ids.js";
import { experimentRuns, heldFeedback } from "./runs.js";

/** A judge's verdict on one pair, in both orders (`tpo compare`'s judgment, as far as LangSmith needs it). */
export interface PairVerdict {
  id: string;
  outcome: "a" | "b" | "tie";
  games: { shownFirst: "a" | "b"; winner: "a" | "b" | "tie"; rationale: string }[];
}

/** Feedback keys of a comparison: the verdict over both orders, and each order's. */
export const PAIRWISE_KEYS = {
  preference: "preference",
  order: (shownFirst: "a" | "b") => `preference_${shownFirst}_first`,
} as const;

/** 1 for the side the verdict favours, 0 for the other, ½ for a tie. */
function scoreFor(side: "a" | "b", winner: "a" | "b" | "tie"): number {
  return winner === "tie" ? 0.5 : winner === side ? 1 : 0;
}

/** One pairwise feedback score of a run, with the id that makes sending it again a no-op. */
interface PairFeedback {
  id: string;
  runId: string;
  sessionId: string;
  key: string;
  score: number;
  comment: string;
}

/** The feedback of each verdict on the runs of both sides, each with an id stable across uploads. */
function pairFeedbackOf(
  comparisonId: string,
  sides: { a: { id: string; runs: Map<string, string> }; b: { id: string; runs: Map<string, string> } },
  verdicts: PairVerdict[],
): PairFeedback[] {
  return verdicts.flatMap((verdict) =>
    (["a", "b"] as const).flatMap((side) => {
      const runId = sides[side].runs.get(verdict.id)!;
      const on = (key: string, score: number, comment: string): PairFeedback => ({
        id: stableUuid(comparisonId, `${runId}\u0000${key}`),
        runId,
        sessionId: sides[side].id,
        key,
        score,
        comment,
      });
      return [
        on(
          PAIRWISE_KEYS.preference,
          scoreFor(side, verdict.outcome),
          verdict.games.map((g) => `${g.shownFirst} shown first: ${g.rationale}`).join("\n\n"),
        ),
        ...verdict.games.map((g) =>
          on(PAIRWISE_KEYS.order(g.shownFirst), scoreFor(side, g.winner), g.rationale),
        ),
      ];
    }),
  );
}

/**
 * The experiments of a comparison's sides: `<name>-<mode>`, the name given to `tpo batch`/`tpo
 * export`; with two results files `names` is `<name>,<other>`.
 */
export function comparedExperiments(
  names: string,
  sides: { a: { mode: string }; b: { mode: string } },
): { a: string; b: string } {
  const [nameA, nameB = nameA] = names.split(",").map((n) => n.trim());
  return { a: experimentName(nameA, sides.a.mode), b: experimentName(nameB, sides.b.mode) };
}

/** What a comparison's upload found and added. */
export interface PairwiseCount {
  /** Verdicts whose query has a run in both experiments. */
  pairs: number;
  /** Feedback scores sent now (0 when the same comparison was uploaded before). */
  feedback: number;
}

/**
 * Attaches the verdicts to the runs of two experiments as a comparative experiment, the pairwise
 * feedback that LangSmith's comparison view shows: on each run, `preference` (1 when the judge
 * preferred it in both orders, 0 when it preferred the other, ½ otherwise) and one score per
 * order, each with the judge's rationale as its comment. The comparison's id and its feedback's
 * ids derive from the two experiments, so uploading the same comparison again adds nothing: a
 * score the run already carries is left as it is, and the comparison is created only when none
 * of its scores exists yet.
 */
export async function uploadPairwise(
  connection: LangSmithConnection,
  experiments: { a: string; b: string },
  verdicts: PairVerdict[],
  options: { name: string; description?: string },
): Promise<PairwiseCount> {
  const { client } = connection;
  return untilStopped(
    connection,
    (async () => {
      const a = await experimentRuns(client, experiments.a);
      const b = await experimentRuns(client, experiments.b);
      const paired = verdicts.filter((v) => a.runs.has(v.id) && b.runs.has(v.id));
      const comparisonId = stableUuid(a.id, `${b.id}\u0000comparison`);
      const feedback = pairFeedbackOf(comparisonId, { a, b }, paired);
      const held = await heldFeedback(
        client,
        [...new Set(feedback.map((f) => f.runId))],
        [...new Set(feedback.map((f) => f.key))],
      );
      if (!feedback.some((f) => held.has(f.id))) {
        await client.createComparativeExperiment({
          id: comparisonId,
          name: options.name,
          description: options.description,
          experimentIds: [a.id, b.id],
          referenceDatasetId: a.datasetId,
        });
      }
      const missing = feedback.filter((f) => !held.has(f.id));
      await mapWithConcurrency(missing, 4, async (f) => {
        await client.createFeedback({
          runId: f.runId,
          sessionId: f.sessionId,
          key: f.key,
          score: f.score,
          comment: f.comment,
          feedbackId: f.id,
          comparativeExperimentId: comparisonId,
          feedbackSourceType: "model",
          sourceInfo: { source: "langgraph-tpo compare" },
        });
      });
      return { pairs: paired.length, feedback: missing.length };
    })(),
  );
}
