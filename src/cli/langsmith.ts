import { TpoLangSmithError } from "../errors.js";
import type { LengthControlledWinRate } from "../eval/alpaca-eval/length-controlled.js";
import type { WinRate } from "../eval/alpaca-eval/win-rate.js";
import type { ArenaHardScore } from "../eval/arena-hard/scores.js";
import type { BatchItem } from "../eval/batch/input.js";
import type { OurAnswers } from "../eval/leaderboard/our-answers.js";
import { openLangSmith } from "../langsmith/client.js";
import { readDatasetItems } from "../langsmith/dataset-input.js";
import type { LangSmithTarget, UploadHost } from "../langsmith/experiment-upload.js";
import {
  alpacaEvalFeedbackOfFile,
  arenaHardFeedbackOfFile,
  uploadLeaderboardFeedback,
  type LeaderboardFeedback,
} from "../langsmith/leaderboard.js";
import { comparedExperiments, uploadPairwise, type PairVerdict } from "../langsmith/pairwise.js";
import { LANGSMITH_INPUT } from "../langsmith/records.js";
import { escapeControl } from "../util/escape.js";
import { redactUrls } from "../util/redact.js";
import { CliRunError, CliUsageError } from "./errors.js";
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
  try {
    return await readDatasetItems(connection, dataset, key);
  } catch (error) {
    if (!(error instanceof TpoLangSmithError)) throw error;
    throw new CliRunError(redactUrls(`<input>: LangSmith (${connection.endpoint}) ${error.reason}.`), {
      cause: error,
    });
  }
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
  const experiments = comparedExperiments(names, sides);
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
  await uploadLeaderboard(
    "tpo eval alpaca-eval",
    alpacaEvalFeedbackOfFile(name, out, ours, scores),
    io,
    json,
  );
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
  await uploadLeaderboard("tpo eval arena-hard", arenaHardFeedbackOfFile(name, out, ours, rows), io, json);
}
