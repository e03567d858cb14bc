import type { Callbacks } from "@langchain/core/callbacks/manager";
import { TpoLangSmithError } from "../errors.js";
import { openLangSmith, type LangSmithConnection } from "../langsmith/client.js";
import {
  experimentName,
  prepareExperiments,
  uploadRuns,
  type ExampleQuery,
  type PreparedExperiments,
  type UploadCount,
} from "../langsmith/experiment.js";
import type { ExperimentRecord } from "../langsmith/feedback.js";
import { LANGSMITH_INPUT } from "../langsmith/records.js";
import { uploadPairwise, type PairVerdict } from "../langsmith/pairwise.js";
import { escapeControl } from "../util/escape.js";
import { writeLine, type CliIo } from "./io.js";
import { tracingOn } from "./exit-on-error.js";
import { CliRunError, CliUsageError } from "./errors.js";
import { readDatasetQueries } from "../langsmith/dataset-input.js";
import type { BatchRecord } from "../eval/batch/record.js";
import { recordKey } from "../eval/batch/record.js";
import type { BatchItem } from "../eval/batch/input.js";

/** Where a command's results go in LangSmith: the dataset of its queries and the experiments' name. */
export interface LangSmithTarget {
  dataset: string;
  experiment: string;
}

/** --langsmith-experiment and --langsmith-dataset, checked; undefined without an experiment. */
export function langSmithTarget(
  options: { langsmithExperiment?: string; langsmithDataset?: string },
  defaultDataset: string | undefined,
): LangSmithTarget | undefined {
  const experiment = options.langsmithExperiment?.trim();
  if (options.langsmithDataset !== undefined && !experiment)
    throw new CliUsageError(
      "--langsmith-dataset goes with --langsmith-experiment (the experiment's dataset).",
    );
  if (experiment === undefined) return undefined;
  if (!experiment) throw new CliUsageError("--langsmith-experiment needs a name.");
  const dataset = options.langsmithDataset?.trim() || defaultDataset;
  if (!dataset)
    throw new CliUsageError(
      "--langsmith-experiment needs --langsmith-dataset to name the dataset of queries read from standard input.",
    );
  return { dataset, experiment };
}

/** The queries of a LangSmith dataset as a batch's items, each keyed by its example id. */
export async function readLangSmithInput(
  dataset: string,
  key: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<BatchItem[]> {
  if (!dataset.trim())
    throw new CliUsageError(`<input>: give the dataset's name after "${LANGSMITH_INPUT}".`);
  const connection = await openLangSmith(env);
  let queries;
  try {
    queries = await readDatasetQueries(connection, dataset, key);
  } catch (error) {
    if (!(error instanceof TpoLangSmithError)) throw error;
    throw new CliRunError(`<input>: LangSmith (${connection.endpoint}) ${error.reason}.`, { cause: error });
  }
  return queries.map((q, i) => ({
    id: q.id,
    source: `example ${i + 1}`,
    input: q.input,
    ...(q.error ? { error: escapeControl(q.error) } : {}),
  }));
}

/**
 * `tpo compare --langsmith`: the experiments of both sides (`<name>-<mode>`, the name given to
 * `tpo batch`/`tpo export`; with two files `<name>,<other>`), and their verdicts uploaded as a
 * comparative experiment. A failure costs one line on standard error, never the comparison.
 */
export async function uploadVerdicts(
  names: string,
  sides: { a: { mode: string; first: boolean }; b: { mode: string; first: boolean } },
  verdicts: PairVerdict[],
  io: CliIo,
): Promise<void> {
  const [nameA, nameB = nameA] = names.split(",").map((n) => n.trim());
  const experiments = { a: experimentName(nameA, sides.a.mode), b: experimentName(nameB, sides.b.mode) };
  const connection = await openLangSmith(io.env);
  try {
    const paired = await uploadPairwise(connection, experiments, verdicts, {
      name: `${experiments.a} vs ${experiments.b}`,
      description: "Pairwise verdicts of tpo compare, both orders (langgraph-tpo).",
    });
    writeLine(
      io.stdout,
      escapeControl(
        `Uploaded the verdicts of ${paired} pairs to LangSmith: comparative experiment ${experiments.a} vs ${experiments.b}.`,
      ),
    );
  } catch (error) {
    if (!(error instanceof TpoLangSmithError)) throw error;
    writeLine(
      io.stderr,
      escapeControl(
        `tpo compare: LangSmith (${connection.endpoint}) ${error.reason}: the verdicts of ${verdicts.length} pairs were not ` +
          `uploaded to experiments ${experiments.a} and ${experiments.b}; run the same command with --resume to upload them.`,
      ),
    );
  }
}

/**
 * A command's experiments in LangSmith, from its start (the dataset, its examples, an experiment
 * per mode) to its end (a run per record, with feedback). LangSmith refusing or not answering
 * never changes the command's results or exit code: the first failure stops the uploads, and
 * `finish` says in one line what was not uploaded and how to upload it later.
 */
export class ExperimentUpload {
  private prepared: PreparedExperiments | undefined;
  private failure: TpoLangSmithError | undefined;
  private readonly traced = new Map<string, string>();

  private constructor(
    private readonly command: string,
    readonly target: LangSmithTarget,
    private readonly connection: LangSmithConnection | undefined,
    private readonly io: CliIo,
  ) {}

  /** Opens the client and prepares the dataset and experiments; a failure is kept for `finish`. */
  static async start(
    command: string,
    target: LangSmithTarget,
    queries: ExampleQuery[],
    modes: string[],
    io: CliIo,
  ): Promise<ExperimentUpload> {
    const connection = await openLangSmith(io.env);
    const upload = new ExperimentUpload(command, target, connection, io);
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
   * With tracing on, what makes a run's trace the run of its example in its mode's experiment
   * (its iterations as child runs): a tracer to that experiment, and the root run's id.
   */
  async traceOf(id: string, mode: string): Promise<{ callbacks: Callbacks; runId: string } | undefined> {
    const exampleId = this.prepared?.examples.get(id);
    if (!tracingOn(this.io.env) || this.failure || exampleId === undefined) return undefined;
    const { LangChainTracer } = await import("@langchain/core/tracers/tracer_langchain");
    const runId = crypto.randomUUID();
    this.traced.set(recordKey(id, mode as BatchRecord["mode"]), runId);
    return {
      callbacks: [
        new LangChainTracer({ projectName: experimentName(this.target.experiment, mode), exampleId }),
      ],
      runId,
    };
  }

  /**
   * Uploads the runs of `records` and their feedback (the traced ones: their feedback only); on
   * failure, one line on standard error that names what was not uploaded and the command that
   * uploads it later from `results`.
   */
  async finish(records: ExperimentRecord[], results: string): Promise<UploadCount | undefined> {
    let count: UploadCount | undefined;
    if (this.prepared && !this.failure && this.connection) {
      if (this.traced.size > 0) {
        // Feedback refers to the traced runs: send those first, within the usual bound.
        const { flushTracesWithin } = await import("./trace-flush.js");
        await flushTracesWithin(this.io.env);
      }
      try {
        count = await uploadRuns(this.connection, this.prepared, records, this.traced);
      } catch (error) {
        this.fail(error);
      }
    }
    if (!this.failure) return count;
    const { dataset, experiment } = this.target;
    writeLine(
      this.io.stderr,
      escapeControl(
        `${this.command}: LangSmith (${this.connection?.endpoint}) ${this.failure.reason}: experiment ${experiment} ` +
          `(${records.length} results, dataset ${dataset}) not uploaded; upload it later with ` +
          `\`tpo export ${results} --format langsmith --langsmith-experiment ${experiment} --langsmith-dataset ${dataset}\`.`,
      ),
    );
    return undefined;
  }
}
