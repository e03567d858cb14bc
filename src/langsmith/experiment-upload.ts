import type { Callbacks } from "@langchain/core/callbacks/manager";
import type { BatchRecord } from "../eval/batch/record.js";
import { recordKey } from "../eval/batch/record.js";
import { TpoLangSmithError } from "../errors.js";
import { escapeControl } from "../util/escape.js";
import { redactUrls } from "../util/redact.js";
import { openLangSmith, type LangSmithConnection } from "./client.js";
import {
  experimentName,
  prepareExperiments,
  uploadRuns,
  type ExampleQuery,
  type PreparedExperiments,
  type UploadCount,
} from "./experiment.js";
import type { ExperimentRecord } from "./feedback.js";
import { tracerTo, type RunTarget } from "./job-upload.js";
import { flushTracesWithin } from "./trace-flush.js";

/** Where a command's results go in LangSmith: the dataset of its queries and the experiments' name. */
export interface LangSmithTarget {
  dataset: string;
  experiment: string;
}

/** What an upload reads and says: the environment (LangSmith's key and endpoint) and where a failure goes. */
export interface UploadHost {
  env: NodeJS.ProcessEnv;
  /** Whether LangChain traces to LangSmith: then each run's trace becomes its example's run. */
  tracing: boolean;
  warn: (line: string) => void;
}

/**
 * A command's experiments in LangSmith, from its start (the dataset, its examples, an experiment
 * per mode) to its end (a run per record, with feedback). LangSmith refusing or not answering
 * never changes the command's results or exit code: the first failure stops the uploads, and
 * `finish` warns in one line what was not uploaded and how to upload it later.
 */
export class ExperimentUpload {
  private prepared: PreparedExperiments | undefined;
  private failure: TpoLangSmithError | undefined;
  private readonly traced = new Map<string, string>();

  private constructor(
    private readonly command: string,
    readonly target: LangSmithTarget,
    private readonly connection: LangSmithConnection | undefined,
    private readonly host: UploadHost,
  ) {}

  /** Opens the client and prepares the dataset and experiments; a failure is kept for `finish`. */
  static async start(
    command: string,
    target: LangSmithTarget,
    queries: ExampleQuery[],
    modes: string[],
    host: UploadHost,
  ): Promise<ExperimentUpload> {
    const connection = await openLangSmith(host.env);
    const upload = new ExperimentUpload(command, target, connection, host);
    try {
      upload.prepared = await prepareExperiments(connection, target, queries, modes);
    } catch (error) {
      upload.fail(error);
    }
    return upload;
  }

  private fail(error: unknown): void {
    if (!(error instanceof TpoLangSmithError)) throw error;
    this.failure ??= error;
  }

  /**
   * Where a worker uploads the run of query `id` under `mode` (`tpo batch --queue`): its mode's
   * experiment and its example; undefined when the experiments could not be prepared.
   */
  jobExperiment(id: string, mode: string): RunTarget | undefined {
    const exampleId = this.prepared?.examples.get(id);
    const experiment = this.prepared?.experiments.get(mode);
    if (this.failure || exampleId === undefined || experiment === undefined) return undefined;
    return { experiment: experiment.name, experimentId: experiment.id, exampleId };
  }

  /**
   * With tracing on, what makes a run's trace the run of its example in its mode's experiment
   * (its iterations as child runs): a tracer to that experiment, and the root run's id.
   */
  async traceOf(id: string, mode: string): Promise<{ callbacks: Callbacks; runId: string } | undefined> {
    const exampleId = this.prepared?.examples.get(id);
    if (!this.host.tracing || this.failure || exampleId === undefined) return undefined;
    const runId = crypto.randomUUID();
    this.traced.set(recordKey(id, mode as BatchRecord["mode"]), runId);
    return { callbacks: [await tracerTo(experimentName(this.target.experiment, mode), exampleId)], runId };
  }

  /**
   * Uploads the runs of `records` and their feedback (the traced ones: their feedback only); on
   * failure, one warning that names what was not uploaded and the command that
   * uploads it later from `results`.
   */
  async finish(records: ExperimentRecord[], results: string): Promise<UploadCount | undefined> {
    let count: UploadCount | undefined;
    if (this.prepared && !this.failure && this.connection) {
      if (this.traced.size > 0) {
        // Feedback refers to the traced runs: send those first, within the usual bound.
        await flushTracesWithin(this.host.env);
      }
      try {
        count = await uploadRuns(this.connection, this.prepared, records, this.traced);
      } catch (error) {
        this.fail(error);
      }
    }
    if (!this.failure) return count;
    const { dataset, experiment } = this.target;
    this.host.warn(
      escapeControl(
        redactUrls(
          `${this.command}: LangSmith (${this.connection?.endpoint}) ${this.failure.reason}: experiment ${experiment} ` +
            `(${records.length} results, dataset ${dataset}) not uploaded; upload it later with ` +
            `\`tpo export ${results} --format langsmith --langsmith-experiment ${experiment} --langsmith-dataset ${dataset}\`.`,
        ),
      ),
    );
    return undefined;
  }
}
