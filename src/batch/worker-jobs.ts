import { z } from "zod";
import { BatchRecordSchema, type BatchRecord } from "../eval/batch/record.js";
import { JudgeJobRecordSchema, type JudgeJobData, type JudgeJobRecord } from "../queue/judge-job.js";
import { judgeFailureOf } from "../queue/judge-runner.js";
import type { JobOutcome, QueueWorkerOptions } from "../queue/worker.js";
import type { batchJobRunner, BatchClaimedJob } from "./queue-jobs.js";

/** What a job leaves in the queue: a batch's record, or a judged row (`tpo eval … --queue`). */
export type WorkerRecord = BatchRecord | JudgeJobRecord;

/**
 * What a queue worker runs (`tpo worker`): a batch's jobs with `batch`, each followed by
 * `afterBatchJob` (the worker's LangSmith uploads), and judge jobs with `judge`; each job leaves
 * its record, or its failure's.
 */
export function workerJobRunner(
  batch: ReturnType<typeof batchJobRunner>,
  judge: (data: JudgeJobData) => Promise<JobOutcome<JudgeJobRecord>>,
  afterBatchJob?: (job: BatchClaimedJob, record: BatchRecord) => Promise<void>,
): Pick<QueueWorkerOptions<WorkerRecord>, "recordSchema" | "run" | "failureRecord" | "refusedRecord"> {
  return {
    recordSchema: z.union([JudgeJobRecordSchema, BatchRecordSchema]),
    run: async (job, signal) => {
      if (job.data.kind === "judge") return judge(job.data);
      const batchJob = { ...job, data: job.data };
      const outcome = await batch.run(batchJob, signal);
      await afterBatchJob?.(batchJob, outcome.record);
      return outcome;
    },
    failureRecord: (data, message) =>
      data.kind === "judge" ? judgeFailureOf(data, message) : batch.failureRecord(data, message),
    refusedRecord: batch.refusedRecord,
  };
}
