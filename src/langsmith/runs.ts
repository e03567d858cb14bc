import type { Client } from "langsmith";
import type { ScoreType, TracerSession } from "langsmith/schemas";
import { TpoLangSmithError } from "../errors.js";

/**
 * The earliest start a run query looks back to. `client.runs.query()` looks back one day unless
 * told otherwise, and an experiment may hold runs of records that finished long before their upload.
 */
const SINCE_EVER = new Date(0).toISOString();

/**
 * The root runs of an experiment, by the example they answer (example id → run id), through
 * `client.runs.query()` (`listRuns()` is deprecated in langsmith 0.12 and warns on every process).
 */
export async function rootRunsByExample(client: Client, projectId: string): Promise<Map<string, string>> {
  const runs = new Map<string, string>();
  for await (const run of client.runs.query({
    project_ids: [projectId],
    is_root: true,
    min_start_time: SINCE_EVER,
    selects: ["ID", "REFERENCE_EXAMPLE_ID"],
  })) {
    if (run.id && run.reference_example_id) runs.set(run.reference_example_id, run.id);
  }
  return runs;
}

/** An experiment as an upload to its runs needs it. */
export interface ExperimentRuns {
  id: string;
  datasetId: string;
  /** The root run of each query id. */
  runs: Map<string, string>;
  project: TracerSession;
}

/** The experiment of that name, and the run of each query id in it (queries by the dataset's `tpo_id`, or the example id). */
export async function experimentRuns(client: Client, name: string): Promise<ExperimentRuns> {
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
  return { id: project.id, datasetId, runs, project };
}

/** Run ids per feedback listing: each is a query parameter, and a URL has a length limit. */
const RUNS_PER_LISTING = 50;

/** The feedback that the runs already carry under `keys`: each one's score, by its id. */
export async function heldFeedback(
  client: Client,
  runIds: string[],
  keys: string[],
): Promise<Map<string, ScoreType | undefined>> {
  const held = new Map<string, ScoreType | undefined>();
  for (let i = 0; i < runIds.length; i += RUNS_PER_LISTING) {
    const runs = runIds.slice(i, i + RUNS_PER_LISTING);
    for await (const feedback of client.listFeedback({ runIds: runs, feedbackKeys: keys }))
      held.set(feedback.id, feedback.score);
  }
  return held;
}
