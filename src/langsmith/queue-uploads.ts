import type { BatchRecord } from "../eval/batch/record.js";
import { langSmithEndpoint, openLangSmith } from "./client.js";
import type { ExperimentUpload, UploadHost } from "./experiment-upload.js";
import { jobTrace, uploadJobRun, type JobTrace, type RunTarget } from "./job-upload.js";
import { experimentView } from "./records.js";
import { traceFlushBound } from "./trace-flush.js";
import { TpoLangSmithError } from "../errors.js";

/** A queued query as its upload sees it: the queue's job data fits. */
interface UploadedJobData {
  id: string;
  mode: string;
  key: string;
  /** Where its worker uploads the run. */
  langsmith?: RunTarget;
}

/** A job as a worker claimed it: pg-boss's id and the attempt (the queue's claimed batch job fits). */
interface UploadedJob {
  id: string;
  data: UploadedJobData;
  attempt: number;
  maxAttempts: number;
}

/** A queue job with the experiment and example its worker uploads the run to, when there are. */
export function withExperiment<J extends Omit<UploadedJobData, "key">>(
  job: J,
  experiments: ExperimentUpload | undefined,
): J {
  const langsmith = experiments?.jobExperiment(job.id, job.mode);
  return langsmith ? { ...job, langsmith } : job;
}

/**
 * A worker's part of `tpo batch --queue --langsmith-experiment`, for the jobs that name an
 * experiment: with tracing on, each attempt traced into it (its iterations as child runs of the
 * example's run); once the job's outcome is final, its run (made from the record when untraced)
 * and feedback. A failure costs the worker one line to `host.warn`, never the job: the waiting
 * batch uploads what is missing from the records.
 */
export function workerUploads(host: UploadHost) {
  const traces = new Map<string, JobTrace>(); // by pg-boss job id, from its run's start to its upload
  return {
    trace: async (job: UploadedJob): Promise<Pick<JobTrace, "callbacks" | "runId"> | undefined> => {
      if (!job.data.langsmith || !host.tracing) return undefined;
      const trace = await jobTrace(job.data.langsmith, job.data.key, job.attempt);
      traces.set(job.id, trace);
      return { callbacks: trace.callbacks, runId: trace.runId };
    },
    upload: async (job: UploadedJob, record: BatchRecord): Promise<void> => {
      const target = job.data.langsmith;
      const trace = traces.get(job.id);
      traces.delete(job.id);
      if (!target) return;
      const notUploaded = (why: string) =>
        host.warn(
          `the run of ${job.data.id} (${job.data.mode}) was not uploaded to LangSmith experiment ${target.experiment}: ` +
            `${why}; the waiting tpo batch uploads it from the records.`,
        );
      if (trace && !(await trace.flush(traceFlushBound(host.env))))
        return notUploaded("its trace was not sent in time");
      if (record.error && job.attempt < job.maxAttempts) return; // retried: the last attempt's run is the one
      let endpoint = langSmithEndpoint(host.env);
      try {
        const connection = await openLangSmith(host.env);
        endpoint = connection.endpoint;
        await uploadJobRun(connection, target, job.data.key, experimentView(record), trace?.runId);
      } catch (error) {
        const reason = error instanceof TpoLangSmithError ? error.reason : (error as Error).message;
        notUploaded(`LangSmith (${endpoint}) ${reason}`);
      }
    },
  };
}
