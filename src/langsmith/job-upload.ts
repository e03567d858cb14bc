import type { Callbacks } from "@langchain/core/callbacks/manager";
import type { Client } from "langsmith";
import { untilStopped, type LangSmithConnection } from "./client.js";
import { createRun, sendFeedback } from "./experiment.js";
import type { ExperimentRecord } from "./feedback.js";
import { stableUuid } from "./ids.js";

/** Where one query's run goes: the experiment (name and id) and the example it answers. */
export interface RunTarget {
  experiment: string;
  experimentId: string;
  exampleId: string;
}

/** A LangChain tracer whose root runs go to the experiment `project`, linked to `exampleId`. */
export async function tracerTo(project: string, exampleId: string) {
  const { LangChainTracer } = await import("@langchain/core/tracers/tracer_langchain");
  return new LangChainTracer({ projectName: project, exampleId });
}

/** A queue job's trace in its experiment: the tracer, and the root run's id (one per attempt). */
export interface JobTrace {
  callbacks: Callbacks;
  runId: string;
  /** Sends what the tracer holds, within `ms`; false when it did not finish in time. */
  flush(ms: number): Promise<boolean>;
}

/**
 * The trace of one attempt of a job (`tpo worker` with tracing on): its iterations become the
 * child runs of the run that answers the example. Each attempt has its own run id, derived from
 * the job key, so that a retried job's attempts never collide.
 */
export async function jobTrace(target: RunTarget, key: string, attempt: number): Promise<JobTrace> {
  const tracer = await tracerTo(target.experiment, target.exampleId);
  return {
    callbacks: [tracer],
    runId: stableUuid(target.experimentId, `${key}\u0000attempt ${attempt}`),
    flush: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const sent = await Promise.race([
        (tracer.client as Client).awaitPendingTraceBatches().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), ms);
        }),
      ]);
      clearTimeout(timer);
      return sent;
    },
  };
}

/**
 * Uploads a job's final record as the run of its example (`tpo worker`): the traced run when
 * `tracedRunId` is given (its feedback only), else a run made from the record, whose id derives
 * from the job key so that a second upload of it is the same run. Then its feedback scores.
 */
export async function uploadJobRun(
  connection: LangSmithConnection,
  target: RunTarget,
  key: string,
  record: ExperimentRecord,
  tracedRunId?: string,
): Promise<void> {
  const { client } = connection;
  await untilStopped(
    connection,
    (async () => {
      const runId = tracedRunId ?? stableUuid(target.experimentId, key);
      if (tracedRunId === undefined)
        await createRun(client, target.experiment, target.exampleId, runId, record);
      await sendFeedback(client, target.experimentId, runId, record);
    })(),
  );
}
