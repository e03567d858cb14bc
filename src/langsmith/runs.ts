import type { Client } from "langsmith";

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
