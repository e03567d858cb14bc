import type { Client } from "langsmith";
import { TpoLangSmithError } from "../errors.js";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { untilStopped, type LangSmithConnection } from "./client.js";
import { rootRunsByExample } from "./runs.js";

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

/** The experiment of that name, and the run of each query id in it (queries by the dataset's `tpo_id`, or the example id). */
async function experimentRuns(
  client: Client,
  name: string,
): Promise<{ id: string; datasetId: string; runs: Map<string, string> }> {
  let project;
  try {
    project = await client.readProject({ projectName: name });
  } catch (error) {
    if (error instanceof Error && / not found$/.test(error.message))
      throw new TpoLangSmithError(
        `has no experiment ${name} (upload it first: tpo export --format langsmith)`,
      );
    throw error;
  }
  const datasetId = project.reference_dataset_id;
  if (!datasetId)
    throw new TpoLangSmithError(`holds ${name} as a project without a dataset, not an experiment`);
  const queryOf = new Map<string, string>();
  for await (const example of client.listExamples({ datasetId })) {
    const id = (example.metadata as { tpo_id?: unknown } | undefined)?.tpo_id;
    queryOf.set(example.id, typeof id === "string" ? id : example.id);
  }
  const runs = new Map<string, string>();
  for (const [exampleId, runId] of await rootRunsByExample(client, project.id)) {
    const query = queryOf.get(exampleId);
    if (query !== undefined) runs.set(query, runId);
  }
  return { id: project.id, datasetId, runs };
}

/**
 * Attaches the verdicts to the runs of two experiments as a comparative experiment, the pairwise
 * feedback that LangSmith's comparison view shows: on each run, `preference` (1 when the judge
 * preferred it in both orders, 0 when it preferred the other, ½ otherwise) and one score per
 * order, each with the judge's rationale as its comment. Returns how many pairs had a run on
 * both sides.
 */
export async function uploadPairwise(
  connection: LangSmithConnection,
  experiments: { a: string; b: string },
  verdicts: PairVerdict[],
  options: { name: string; description?: string },
): Promise<number> {
  const { client } = connection;
  return untilStopped(
    connection,
    (async () => {
      const a = await experimentRuns(client, experiments.a);
      const b = await experimentRuns(client, experiments.b);
      const comparison = await client.createComparativeExperiment({
        name: options.name,
        description: options.description,
        experimentIds: [a.id, b.id],
        referenceDatasetId: a.datasetId,
      });
      const paired = verdicts.filter((v) => a.runs.has(v.id) && b.runs.has(v.id));
      await mapWithConcurrency(paired, 4, async (verdict) => {
        for (const [side, runId] of [
          ["a", a.runs.get(verdict.id)!],
          ["b", b.runs.get(verdict.id)!],
        ] as const) {
          const feedback = [
            {
              key: PAIRWISE_KEYS.preference,
              score: scoreFor(side, verdict.outcome),
              comment: verdict.games.map((g) => `${g.shownFirst} shown first: ${g.rationale}`).join("\n\n"),
            },
            ...verdict.games.map((g) => ({
              key: PAIRWISE_KEYS.order(g.shownFirst),
              score: scoreFor(side, g.winner),
              comment: g.rationale,
            })),
          ];
          for (const f of feedback) {
            await client.createFeedback({
              runId,
              sessionId: side === "a" ? a.id : b.id,
              ...f,
              comparativeExperimentId: comparison.id,
              feedbackSourceType: "model",
              sourceInfo: { source: "langgraph-tpo compare" },
            });
          }
        }
      });
      return paired.length;
    })(),
  );
}
