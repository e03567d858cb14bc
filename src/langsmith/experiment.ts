import type { Client } from "langsmith";
import { mapWithConcurrency } from "../util/map-with-concurrency.js";
import { untilStopped, type LangSmithConnection } from "./client.js";
import { feedbackOf, inputsOf, type ExperimentRecord } from "./feedback.js";
import { stableUuid } from "./ids.js";
import { rootRunsByExample } from "./runs.js";

/** Requests in flight at once while uploading runs and feedback. */
const UPLOAD_CONCURRENCY = 4;

/** The experiment of one mode: its name is the one given, with the mode after a dash ("nightly-tpo"). */
export function experimentName(name: string, mode: string): string {
  return `${name}-${mode}`;
}

/** A dataset with its examples, and an experiment per mode on it, as LangSmith holds them. */
export interface PreparedExperiments {
  datasetId: string;
  /** The example of each query, by query id. */
  examples: Map<string, string>;
  /** The experiment (a LangSmith project with the dataset as reference) of each mode. */
  experiments: Map<string, { id: string; name: string }>;
}

/** A query that becomes an example: its id and its inputs. */
export interface ExampleQuery {
  id: string;
  inputs: Record<string, unknown>;
}

async function datasetIdOf(client: Client, name: string): Promise<string> {
  for await (const dataset of client.listDatasets({ datasetName: name })) return dataset.id;
  const created = await client.createDataset(name, {
    description: "Queries of a TPO batch (langgraph-tpo): one example per query, keyed by its id.",
  });
  return created.id;
}

/**
 * The examples of `queries` in the dataset, each created once: an example's id is the query's id
 * when the dataset already holds it under that id (a dataset read as input), else derived from
 * the dataset and the query id, so that a second upload finds it.
 */
async function examplesOf(
  client: Client,
  datasetId: string,
  queries: ExampleQuery[],
): Promise<Map<string, string>> {
  const held = new Set<string>();
  for await (const example of client.listExamples({ datasetId })) held.add(example.id);
  const examples = new Map<string, string>();
  const missing: ExampleQuery[] = [];
  for (const query of queries) {
    if (examples.has(query.id)) continue;
    const id = held.has(query.id) ? query.id : stableUuid(datasetId, query.id);
    examples.set(query.id, id);
    if (!held.has(id)) missing.push(query);
  }
  if (missing.length > 0) {
    await client.createExamples(
      missing.map((query) => ({
        id: examples.get(query.id)!,
        dataset_id: datasetId,
        inputs: query.inputs,
        metadata: { tpo_id: query.id },
      })),
    );
  }
  return examples;
}

/**
 * Creates, or finds, the dataset `dataset` with an example per query and an experiment per mode
 * linked to it (`name-mode`). Everything is keyed, so calling it again creates nothing twice.
 */
export async function prepareExperiments(
  connection: LangSmithConnection,
  target: { dataset: string; experiment: string },
  queries: ExampleQuery[],
  modes: string[],
): Promise<PreparedExperiments> {
  const { client } = connection;
  return untilStopped(
    connection,
    (async () => {
      const datasetId = await datasetIdOf(client, target.dataset);
      const examples = await examplesOf(client, datasetId, queries);
      const experiments = new Map<string, { id: string; name: string }>();
      for (const mode of modes) {
        const name = experimentName(target.experiment, mode);
        const project = await client.createProject({
          projectName: name,
          referenceDatasetId: datasetId,
          upsert: true,
          metadata: { tpo_mode: mode },
        });
        experiments.set(mode, { id: project.id, name });
      }
      return { datasetId, examples, experiments };
    })(),
  );
}

/** What an upload added: runs and feedback scores. */
export interface UploadCount {
  runs: number;
  feedback: number;
}

/**
 * Uploads each record as the run of its example in its mode's experiment, with its feedback
 * scores. An experiment holds one run per example: a record whose example has a run there already
 * is left out, so uploading the same results again adds nothing. `traced` names the runs that
 * tracing already sent (by record key, `mode\u0000id`): those get their feedback only.
 */
export async function uploadRuns(
  connection: LangSmithConnection,
  prepared: PreparedExperiments,
  records: ExperimentRecord[],
  traced: ReadonlyMap<string, string> = new Map(),
): Promise<UploadCount> {
  const { client } = connection;
  return untilStopped(
    connection,
    (async () => {
      const count: UploadCount = { runs: 0, feedback: 0 };
      for (const [mode, experiment] of prepared.experiments) {
        const held = await rootRunsByExample(client, experiment.id);
        const ofMode = records.filter((r) => r.mode === mode && prepared.examples.has(r.id));
        await mapWithConcurrency(ofMode, UPLOAD_CONCURRENCY, async (record) => {
          const exampleId = prepared.examples.get(record.id)!;
          const tracedRun = traced.get(`${mode}\u0000${record.id}`);
          if (tracedRun === undefined && held.has(exampleId)) return;
          const runId = tracedRun ?? stableUuid(experiment.id, `${record.id}\u0000${record.finishedAt}`);
          if (tracedRun === undefined) {
            await createRun(client, experiment.name, exampleId, runId, record);
            count.runs++;
          }
          count.feedback += await sendFeedback(client, experiment.id, runId, record);
        });
      }
      return count;
    })(),
  );
}

/** Sends a record's feedback scores to its run; returns how many. Each has a stable id, run and key. */
export async function sendFeedback(
  client: Client,
  experimentId: string,
  runId: string,
  record: ExperimentRecord,
): Promise<number> {
  const feedback = feedbackOf(record);
  for (const f of feedback) {
    await client.createFeedback({
      runId,
      sessionId: experimentId,
      key: f.key,
      score: f.score,
      value: f.value,
      feedbackId: stableUuid(runId, f.key),
      feedbackSourceType: "model",
      sourceInfo: { source: "langgraph-tpo" },
    });
  }
  return feedback.length;
}

/** Creates the run of a record, linked to its example, in the experiment named `project`. */
export async function createRun(
  client: Client,
  project: string,
  exampleId: string,
  runId: string,
  record: ExperimentRecord,
): Promise<void> {
  const end = Date.parse(record.finishedAt);
  await client.createRun({
    id: runId,
    trace_id: runId,
    name: "tpo",
    run_type: "chain",
    project_name: project,
    reference_example_id: exampleId,
    inputs: inputsOf(record),
    outputs: record.best ? { output: record.best.text } : {},
    ...(record.error ? { error: record.error.message } : {}),
    start_time: end - record.elapsedMs,
    end_time: end,
    extra: {
      metadata: {
        tpo_mode: record.mode,
        tpo_id: record.id,
        models: record.models,
        settings: record.settings,
      },
    },
  });
}
