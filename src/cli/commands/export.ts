import { existsSync } from "node:fs";
import { basename } from "node:path";
import { officialJson } from "../../eval/export/reference-format.js";
import { checkOutTarget, refuseInputAsOut } from "../batch/out-file.js";
import { policyNameOf, type BatchRecord } from "../../eval/batch/record.js";
import { readLatestRecords } from "../../eval/batch/results-file.js";
import {
  answersOf,
  answerView,
  parseSide,
  resolveSide,
  sideLabel,
  type Side,
} from "../../eval/compare/sides.js";
import { CliRunError, CliUsageError } from "../errors.js";
import { ExperimentUpload } from "../../langsmith/experiment-upload.js";
import { langSmithTarget, uploadHostOf } from "../langsmith.js";
import { datasetNameOf, experimentView, modesOfRecords, queriesOf } from "../../langsmith/records.js";
import { experimentName } from "../../langsmith/experiment.js";
import { escapeControl } from "../../util/escape.js";
import { alpacaEvalEntries, alpacaEvalJson } from "../../eval/export/alpaca-eval.js";
import { arenaHardAnswers, arenaHardJsonl } from "../../eval/export/arena-hard.js";
import { writeAtomically } from "../atomic-write.js";
import { warnOnStderr } from "../warn.js";
import { writeLine, type CliIo } from "../io.js";
import { gpt4oTokenCounter } from "../../eval/arena-hard/token-length.js";

const FORMATS = ["alpaca-eval", "arena-hard", "official", "langsmith"] as const;
type ExportFormat = (typeof FORMATS)[number];

export interface ExportOptions {
  format: string;
  mode: string;
  out?: string;
  modelName?: string;
  dataset?: string;
  overwrite?: boolean;
  langsmithExperiment?: string;
  langsmithDataset?: string;
}

/** The default model name: the policy's (its last path segment, as the reference's file names use it) and the side. */
function defaultModelName(records: BatchRecord[], side: Side): string {
  const models = records.find((r) => r.mode === side.mode && r.models)?.models;
  return `${policyNameOf(models)}-${side.first ? "first" : side.mode}`;
}

function parseFormat(text: string): ExportFormat {
  if ((FORMATS as readonly string[]).includes(text)) return text as ExportFormat;
  throw new CliUsageError(`--format must be one of ${FORMATS.join(", ")}, got "${text}".`);
}

/** Checks --out before anything is read: a file (new, or replaced with --overwrite), never the results. */
function checkOut(out: string, results: string, overwrite: boolean): void {
  checkOutTarget(out);
  refuseInputAsOut(out, [{ path: results, what: "<results>" }]);
  if (existsSync(out) && !overwrite) {
    throw new CliUsageError(`--out ${out} exists: pass --overwrite to replace it, or name another file.`);
  }
}

/**
 * `--format langsmith`: every mode's records as the runs of an experiment, with their feedback
 * (without iteration trees: those exist only when the batch traced). LangSmith refusing costs a
 * line and exit code 1, since the upload is this command's whole job.
 */
async function exportToLangSmith(results: string, options: ExportOptions, io: CliIo): Promise<void> {
  if (options.out !== undefined)
    throw new CliUsageError("--format langsmith writes no file: leave out --out (results go to LangSmith).");
  if (options.langsmithExperiment === undefined)
    throw new CliUsageError("--format langsmith needs --langsmith-experiment <name>.");
  const target = langSmithTarget(options, datasetNameOf(results))!;
  const records = readLatestRecords(results, {
    what: "<results>",
    view: experimentView,
    warn: warnOnStderr("tpo export", io.stderr),
  });
  const modes = modesOfRecords(records);
  const upload = await ExperimentUpload.start(
    "tpo export",
    target,
    queriesOf(records),
    modes,
    uploadHostOf(io),
  );
  const count = await upload.finish(records, results);
  if (count === undefined)
    throw new CliRunError(`the experiments of ${results} were not uploaded (see above).`);
  writeLine(
    io.stdout,
    escapeControl(
      `Uploaded ${count.runs} runs and ${count.feedback} feedback scores to LangSmith: experiments ` +
        `${modes.map((mode) => experimentName(target.experiment, mode)).join(", ")} on dataset ${target.dataset}.`,
    ),
  );
}

/** `tpo export`'s work; ../declare/export.ts declares the command and loads this on demand. */
export async function exportAction(results: string, options: ExportOptions, io: CliIo): Promise<void> {
  const format = parseFormat(options.format);
  if (format === "langsmith") return exportToLangSmith(results, options, io);
  for (const [flag, given] of [
    ["--langsmith-experiment", options.langsmithExperiment],
    ["--langsmith-dataset", options.langsmithDataset],
  ] as const) {
    if (given !== undefined) throw new CliUsageError(`${flag} goes with --format langsmith.`);
  }
  if (options.out === undefined) throw new CliUsageError(`--format ${format} needs --out <file>.`);
  const out = options.out;
  const spec = parseSide("--mode", options.mode);
  checkOut(out, results, options.overwrite ?? false);
  // The official format holds every scored candidate; the others need only the answers.
  const records = readLatestRecords(results, {
    what: "<results>",
    view: format === "official" ? undefined : answerView,
    warn: warnOnStderr("tpo export", io.stderr),
  });
  const side = resolveSide(spec, spec, records, { flag: "--mode", file: results });
  if (format === "official" && side.first) {
    throw new CliUsageError(
      "--format official writes every scored candidate of a run; give a mode (tpo, revision, bon), not first.",
    );
  }
  if (options.dataset !== undefined && format !== "alpaca-eval") {
    throw new CliUsageError(
      "--dataset is a field of AlpacaEval's format only: use it with --format alpaca-eval.",
    );
  }
  const ofMode = records.filter((r) => r.mode === side.mode);
  const answers = answersOf(records, side);
  const missing = ofMode.length - answers.size;
  if (missing > 0) {
    writeLine(
      io.stderr,
      `tpo export: ${missing} of ${ofMode.length} ${side.mode} records have no answer (failed runs); left out.`,
    );
  }
  if (answers.size === 0)
    throw new CliUsageError(`<results>: ${results} has no answers of ${sideLabel(side)}.`);
  const name = options.modelName?.trim() || defaultModelName(records, side);
  if (format === "alpaca-eval") {
    writeAtomically(
      out,
      alpacaEvalJson(alpacaEvalEntries(answers.values(), { generator: name, dataset: options.dataset })),
    );
  } else if (format === "arena-hard") {
    const countTokens = await gpt4oTokenCounter();
    writeAtomically(out, arenaHardJsonl(arenaHardAnswers(answers.values(), { model: name, countTokens })));
    if (basename(out) !== `${name}.jsonl`) {
      writeLine(
        io.stderr,
        escapeControl(
          `tpo export: Arena-Hard names a model after its answer file: save it as data/<bench>/model_answer/${name}.jsonl.`,
        ),
      );
    }
  } else {
    writeAtomically(out, officialJson(ofMode));
  }
  // The name may come from the results file: on a terminal, its control characters are escapes.
  const named = format === "official" ? "" : `, model ${name}`;
  writeLine(
    io.stdout,
    escapeControl(`Wrote ${answers.size} ${sideLabel(side)} answers to ${out} (${format}${named}).`),
  );
}
