import { basename } from "node:path";
import { officialJson } from "../batch/reference-format.js";
import type { BatchRecord } from "../batch/record.js";
import { readLatestRecords } from "../batch/results-file.js";
import { answersOf, modesOf, parseSide, resolveSide, sideLabel, type Side } from "../compare/sides.js";
import { CliUsageError } from "../errors.js";
import { alpacaEvalEntries, alpacaEvalJson } from "../export/alpaca-eval.js";
import { arenaHardAnswers, arenaHardJsonl } from "../export/arena-hard.js";
import { writeAtomically } from "../atomic-write.js";

const FORMATS = ["alpaca-eval", "arena-hard", "official"] as const;
type ExportFormat = (typeof FORMATS)[number];

export interface ExportOptions {
  format: string;
  mode: string;
  out: string;
  modelName?: string;
  dataset?: string;
}

/** The default model name: the policy's (its last path segment, as the reference's file names use it) and the side. */
function defaultModelName(records: BatchRecord[], side: Side): string {
  const models = records.find((r) => r.mode === side.mode && r.models)?.models;
  const policy = models?.backend === "sim" ? "tpo-sim" : (models?.model?.split("/").at(-1) ?? "model");
  return `${policy}-${side.first ? "first" : side.mode}`;
}

function parseFormat(text: string): ExportFormat {
  if ((FORMATS as readonly string[]).includes(text)) return text as ExportFormat;
  throw new CliUsageError(`--format must be one of ${FORMATS.join(", ")}, got "${text}".`);
}

/** `tpo export`'s work; ../declare/export.ts declares the command and loads this on demand. */
export function exportAction(results: string, options: ExportOptions): void {
  const format = parseFormat(options.format);
  const spec = parseSide("--mode", options.mode);
  const records = readLatestRecords(results, "<results>", "tpo export");
  const side = resolveSide(spec, spec, modesOf(records), { flag: "--mode", file: results });
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
    console.error(
      `tpo export: ${missing} of ${ofMode.length} ${side.mode} records have no answer (failed runs); left out.`,
    );
  }
  if (answers.size === 0)
    throw new CliUsageError(`<results>: ${results} has no answers of ${sideLabel(side)}.`);
  const name = options.modelName?.trim() || defaultModelName(records, side);
  if (format === "alpaca-eval") {
    writeAtomically(
      options.out,
      alpacaEvalJson(alpacaEvalEntries(answers.values(), { generator: name, dataset: options.dataset })),
    );
  } else if (format === "arena-hard") {
    writeAtomically(options.out, arenaHardJsonl(arenaHardAnswers(answers.values(), { model: name })));
    if (basename(options.out) !== `${name}.jsonl`) {
      console.error(
        `tpo export: Arena-Hard names a model after its answer file: save it as data/<bench>/model_answer/${name}.jsonl.`,
      );
    }
  } else {
    writeAtomically(options.out, officialJson(ofMode));
  }
  const named = format === "official" ? "" : `, model ${name}`;
  console.log(`Wrote ${answers.size} ${sideLabel(side)} answers to ${options.out} (${format}${named}).`);
}
