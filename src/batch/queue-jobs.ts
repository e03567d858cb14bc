import type { ModelSettings } from "../from-env/models-from-env.js";
import { messagesFromTurns, turnsOf } from "../messages/conversation.js";
import { jobKeyOf, type QueueJobData } from "../queue/job.js";
import type { JobLabel } from "../queue/refuse.js";
import { parseTpoContext, TpoContextSchema } from "../settings/run-settings.js";
import type { Job } from "../eval/batch/plan.js";
import { BatchRecordSchema, type BatchRecord } from "../eval/batch/record.js";
import type { TpoGraph } from "../graph/builder.js";
import type { QueueWorkerOptions } from "../queue/worker.js";
import { recordBase, runJob } from "./run-job.js";

/** A batch's job as the queue carries it: the query, its mode and run settings, never a model or key. */
export function queueJobOf(job: Job, dataset: string): QueueJobData {
  const { item, mode, context } = job;
  const input =
    item.input && "messages" in item.input
      ? { messages: turnsOf(item.input.messages) }
      : { query: (item.input as { query: string }).query };
  const data = { dataset, id: item.id, mode, input, settings: context };
  return { v: 1, key: jobKeyOf(data), source: item.source, ...data };
}

/** A queue job as the batch's own job, to run it as `tpo batch` does. */
export function jobOfQueueData(data: QueueJobData): Job {
  return {
    item: {
      id: data.id,
      source: data.source,
      input: "messages" in data.input ? { messages: messagesFromTurns(data.input.messages) } : data.input,
    },
    mode: data.mode,
    context: parseTpoContext(data.settings),
  };
}

/** The record of a job that failed with no run to make one (its worker vanished on its last attempt). */
export function failureRecordOf(data: QueueJobData, message: string, settings: ModelSettings): BatchRecord {
  let base: Partial<BatchRecord> = { id: data.id, mode: data.mode, query: null, settings: data.settings };
  try {
    base = recordBase(jobOfQueueData(data), settings);
  } catch {
    // Settings of another version: the record keeps them as they came.
  }
  return {
    ...base,
    id: data.id,
    mode: data.mode,
    query: base.query ?? null,
    elapsedMs: 0,
    error: { message, source: data.source },
    finishedAt: new Date().toISOString(),
  };
}

/**
 * The record of a job whose record in the queue does not fit this version's records (a worker of
 * another version made it): a failure that says so.
 */
export function misfitRecordOf(data: QueueJobData, misfit: string): BatchRecord {
  return {
    id: data.id,
    mode: data.mode,
    query: null,
    settings: data.settings,
    elapsedMs: 0,
    error: {
      message: `its worker made a record that this tpo cannot read (${misfit}); run workers of the same version as tpo batch`,
      source: data.source,
    },
    finishedAt: new Date().toISOString(),
  };
}

/** The record of a job a worker refused without reading it (data of another version, or not a job). */
export function refusedRecordOf(label: JobLabel, message: string): BatchRecord {
  return {
    id: label.id,
    mode: TpoContextSchema.shape.mode.unwrap().safeParse(label.mode).data ?? null,
    query: null,
    elapsedMs: 0,
    error: { message },
    finishedAt: new Date().toISOString(),
  };
}

/**
 * What a queue worker needs to run a batch's jobs as `tpo batch` runs its queries: each job on
 * its own thread (the job key), resumed from its checkpoint, its record checked against this
 * version's; `onRecord` sees each record as its job ends.
 */
export function batchJobRunner(
  graph: TpoGraph,
  settings: ModelSettings,
  onRecord?: (record: BatchRecord) => void,
): Pick<QueueWorkerOptions<BatchRecord>, "recordSchema" | "run" | "failureRecord" | "refusedRecord"> {
  return {
    recordSchema: BatchRecordSchema,
    run: async (job, signal) => {
      const record = await runJob(jobOfQueueData(job.data), graph, settings, {
        threadId: job.data.key,
        resume: true,
        signal,
      });
      onRecord?.(record);
      const { error } = record;
      return {
        record,
        error: error ? { message: error.message, ...(error.step ? { step: error.step } : {}) } : undefined,
      };
    },
    failureRecord: (data, message) => failureRecordOf(data, message, settings),
    refusedRecord: refusedRecordOf,
  };
}
