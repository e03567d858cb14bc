import { readFileSync } from "node:fs";
import { TpoLangSmithError } from "../errors.js";
import { AnnotationSchema } from "../eval/alpaca-eval/judged-files.js";
import type { LengthControlledWinRate } from "../eval/alpaca-eval/length-controlled.js";
import type { WinRate } from "../eval/alpaca-eval/win-rate.js";
import { JudgmentSchema, type Judgment } from "../eval/arena-hard/judged-files.js";
import type { ArenaHardScore } from "../eval/arena-hard/scores.js";
import type { BatchItem } from "../eval/batch/input.js";
import type { BatchRecord } from "../eval/batch/record.js";
import { scanResults } from "../eval/batch/results-file.js";
import { langSmithEndpoint, openLangSmith } from "../langsmith/client.js";
import { readDatasetQueries } from "../langsmith/dataset-input.js";
import { experimentName } from "../langsmith/experiment.js";
import type { ExperimentUpload, LangSmithTarget, UploadHost } from "../langsmith/experiment-upload.js";
import { jobTrace, uploadJobRun, type JobTrace } from "../langsmith/job-upload.js";
import {
  alpacaEvalFeedback,
  arenaHardFeedback,
  uploadLeaderboardFeedback,
  type LeaderboardFeedback,
} from "../langsmith/leaderboard.js";
import { uploadPairwise, type PairVerdict } from "../langsmith/pairwise.js";
import { experimentView, LANGSMITH_INPUT } from "../langsmith/records.js";
import { traceFlushBound } from "../langsmith/trace-flush.js";
import type { QueueJobData } from "../queue/job.js";
import type { BatchClaimedJob } from "../batch/queue-jobs.js";
import { escapeControl } from "../util/escape.js";
import { redactUrls } from "../util/redact.js";
import { CliRunError, CliUsageError } from "./errors.js";
import type { OurAnswers } from "./eval/answers.js";
import { tracingOn } from "./exit-on-error.js";
import { writeLine, type CliIo } from "./io.js";

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
    throw new CliRunError(redactUrls(`<input>: LangSmith (${connection.endpoint}) ${error.reason}.`), {
      cause: error,
    });
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
    const count = await uploadPairwise(connection, experiments, verdicts, {
      name: `${experiments.a} vs ${experiments.b}`,
      description: "Pairwise verdicts of tpo compare, both orders (langgraph-tpo).",
    });
    const what =
      count.feedback === 0 && count.pairs > 0
        ? `The verdicts of ${count.pairs} pairs were already in LangSmith`
        : `Uploaded the verdicts of ${count.pairs} pairs to LangSmith (${count.feedback} feedback scores)`;
    writeLine(
      io.stdout,
      escapeControl(`${what}: comparative experiment ${experiments.a} vs ${experiments.b}.`),
    );
  } catch (error) {
    if (!(error instanceof TpoLangSmithError)) throw error;
    writeLine(
      io.stderr,
      escapeControl(
        redactUrls(
          `tpo compare: LangSmith (${connection.endpoint}) ${error.reason}: the verdicts of ${verdicts.length} pairs were not ` +
            `uploaded to experiments ${experiments.a} and ${experiments.b}; run the same command with --resume to upload them.`,
        ),
      ),
    );
  }
}

/** An experiment upload's host in the CLI: the command's environment, its failure on standard error. */
export function uploadHostOf(io: CliIo): UploadHost {
  return { env: io.env, tracing: tracingOn(io.env), warn: (line) => writeLine(io.stderr, line) };
}

/**
 * `tpo eval … --langsmith-experiment`: the judge's preference of each example on its run in the
 * experiment of the judged answers' mode, and the scores on the experiment. Said after the scores
 * (on standard error with --json); a failure costs one line on standard error, never a judgment.
 */
async function uploadLeaderboard(
  command: string,
  feedback: LeaderboardFeedback,
  io: CliIo,
  json: boolean | undefined,
): Promise<void> {
  const connection = await openLangSmith(io.env);
  try {
    const count = await uploadLeaderboardFeedback(connection, feedback);
    const withoutRun = count.withoutRun > 0 ? `; ${count.withoutRun} judged examples have no run there` : "";
    writeLine(
      json ? io.stderr : io.stdout,
      escapeControl(
        `Uploaded the judge's preferences of ${count.examples} examples (${count.feedback} feedback scores) and the scores ` +
          `to LangSmith experiment ${feedback.experiment}${withoutRun}.`,
      ),
    );
  } catch (error) {
    if (!(error instanceof TpoLangSmithError)) throw error;
    writeLine(
      io.stderr,
      escapeControl(
        redactUrls(
          `${command}: LangSmith (${connection.endpoint}) ${error.reason}: the preferences of ${feedback.preferences.length} ` +
            `examples and the scores were not uploaded to experiment ${feedback.experiment}; run the same command again ` +
            `to upload them (it judges nothing twice).`,
        ),
      ),
    );
  }
}

/** `tpo eval alpaca-eval --langsmith-experiment`: the annotations of `out`, and the scores printed. */
export async function uploadAlpacaEvalScores(
  name: string,
  out: string,
  ours: OurAnswers,
  scores: WinRate & Partial<LengthControlledWinRate>,
  io: CliIo,
  json?: boolean,
): Promise<void> {
  const annotations = AnnotationSchema.array().parse(JSON.parse(readFileSync(out, "utf8")));
  const idOf = new Map([...ours.answers.values()].map((a) => [a.query, a.id]));
  const feedback = alpacaEvalFeedback({ name, label: ours.label }, annotations, idOf, scores);
  await uploadLeaderboard("tpo eval alpaca-eval", feedback, io, json);
}

/** `tpo eval arena-hard --langsmith-experiment`: the judgments of `out`, and our row of the scores printed. */
export async function uploadArenaHardScores(
  name: string,
  out: string,
  ours: OurAnswers,
  rows: readonly ArenaHardScore[],
  io: CliIo,
  json?: boolean,
): Promise<void> {
  const latest = new Map<string, Judgment>(); // a question judged again: its last line
  scanResults(out, JudgmentSchema, (j) => latest.set(j.uid, j));
  const judgments = [...latest.values()];
  const row = rows.find((r) => r.model === ours.model.split("/").at(-1));
  const feedback = arenaHardFeedback({ name, label: ours.label }, judgments, row);
  await uploadLeaderboard("tpo eval arena-hard", feedback, io, json);
}

/** A queue job with the experiment and example its worker uploads the run to, when there are. */
export function withExperiment(job: QueueJobData, experiments: ExperimentUpload | undefined): QueueJobData {
  const langsmith = experiments?.jobExperiment(job.id, job.mode);
  return langsmith ? { ...job, langsmith } : job;
}

/**
 * A worker's part of `tpo batch --queue --langsmith-experiment`, for the jobs that name an
 * experiment: with tracing on, each attempt traced into it (its iterations as child runs of the
 * example's run); once the job's outcome is final, its run (made from the record when untraced)
 * and feedback. A failure costs the worker one line, never the job: the waiting batch uploads
 * what is missing from the records.
 */
export function workerUploads(io: CliIo, say: (line: string) => void) {
  const tracing = tracingOn(io.env);
  const traces = new Map<string, JobTrace>(); // by pg-boss job id, from its run's start to its upload
  return {
    trace: async (job: BatchClaimedJob): Promise<Pick<JobTrace, "callbacks" | "runId"> | undefined> => {
      if (!job.data.langsmith || !tracing) return undefined;
      const trace = await jobTrace(job.data.langsmith, job.data.key, job.attempt);
      traces.set(job.id, trace);
      return { callbacks: trace.callbacks, runId: trace.runId };
    },
    upload: async (job: BatchClaimedJob, record: BatchRecord): Promise<void> => {
      const target = job.data.langsmith;
      const trace = traces.get(job.id);
      traces.delete(job.id);
      if (!target) return;
      const notUploaded = (why: string) =>
        say(
          `the run of ${job.data.id} (${job.data.mode}) was not uploaded to LangSmith experiment ${target.experiment}: ` +
            `${why}; the waiting tpo batch uploads it from the records.`,
        );
      if (trace && !(await trace.flush(traceFlushBound(io.env))))
        return notUploaded("its trace was not sent in time");
      if (record.error && job.attempt < job.maxAttempts) return; // retried: the last attempt's run is the one
      let endpoint = langSmithEndpoint(io.env);
      try {
        const connection = await openLangSmith(io.env);
        endpoint = connection.endpoint;
        await uploadJobRun(connection, target, job.data.key, experimentView(record), trace?.runId);
      } catch (error) {
        const reason = error instanceof TpoLangSmithError ? error.reason : (error as Error).message;
        notUploaded(`LangSmith (${endpoint}) ${reason}`);
      }
    },
  };
}
