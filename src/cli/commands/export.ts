import { existsSync } from "node:fs";
import { basename } from "node:path";
import { officialJson } from "../../eval/export/reference-format.js";
import { checkOutTarget, refuseInputAsOut } from "../batch/out-file.js";
import type { BatchRecord } from "../../eval/batch/record.js";
import { readLatestRecords } from "../../eval/batch/results-file.js";
import {
  answersOf,
  answerView,
  parseSide,
  resolveSide,
  sideLabel,
  type Side,
} from "../../eval/compare/sides.js";
import { CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { alpacaEvalEntries, alpacaEvalJson } from "../../eval/export/alpaca-eval.js";
import { arenaHardAnswers, arenaHardJsonl } from "../../eval/export/arena-hard.js";
import { writeAtomically } from "../atomic-write.js";
import { warnOnStderr } from "../warn.js";
import { gpt4oTokenCounter } from "../../eval/arena-hard/token-length.js";

const FORMATS = ["alpaca-eval", "arena-hard", "official"] as const;
type ExportFormat = (typeof FORMATS)[number];

export interface ExportOptions {
  format: string;
  mode: string;
  out: string;
  modelName?: string;
  dataset?: string;
  overwrite?: boolean;
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

/** Checks --out before anything is read: a file (new, or replaced with --overwrite), never the results. */
function checkOut(out: string, results: string, overwrite: boolean): void {
  checkOutTarget(out);
  refuseInputAsOut(out, [{ path: results, what: "<results>" }]);
  if (existsSync(out) && !overwrite) {
    throw new CliUsageError(`--out ${out} exists: pass --overwrite to replace it, or name another file.`);
  }
}

/** `tpo export`'s work; ../declare/export.ts declares the command and loads this on demand. */
export async function exportAction(results: string, options: ExportOptions): Promise<void> {
  const format = parseFormat(options.format);
  const spec = parseSide("--mode", options.mode);
  checkOut(options.out, results, options.overwrite ?? false);
  // The official format holds every scored candidate; the others need only the answers.
  const records = readLatestRecords(results, {
    what: "<results>",
    view: format === "official" ? undefined : answerView,
    warn: warnOnStderr("tpo export"),
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
    const countTokens = await gpt4oTokenCounter();
    writeAtomically(
      options.out,
      arenaHardJsonl(arenaHardAnswers(answers.values(), { model: name, countTokens })),
    );
    if (basename(options.out) !== `${name}.jsonl`) {
      console.error(
        escapeControl(
          `tpo export: Arena-Hard names a model after its answer file: save it as data/<bench>/model_answer/${name}.jsonl.`,
        ),
      );
    }
  } else {
    writeAtomically(options.out, officialJson(ofMode));
  }
  // The name may come from the results file: on a terminal, its control characters are escapes.
  const named = format === "official" ? "" : `, model ${name}`;
  console.log(
    escapeControl(`Wrote ${answers.size} ${sideLabel(side)} answers to ${options.out} (${format}${named}).`),
  );
}
