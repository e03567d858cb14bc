import { basename } from "node:path";
import type { Command } from "commander";
import { officialJson } from "../batch/official.js";
import type { BatchRecord } from "../batch/record.js";
import { readLatestRecords } from "../batch/results-file.js";
import { answersOf, modesOf, parseSide, resolveSide, sideLabel, type Side } from "../compare/sides.js";
import { CliUsageError } from "../errors.js";
import { alpacaEvalEntries, alpacaEvalJson } from "../export/alpaca-eval.js";
import { arenaHardAnswers, arenaHardJsonl } from "../export/arena-hard.js";
import { writeWhole } from "../write-whole.js";

const FORMATS = ["alpaca-eval", "arena-hard", "official"] as const;
type ExportFormat = (typeof FORMATS)[number];

interface ExportOptions {
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

export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "Write a batch's answers in the format an evaluation suite reads: AlpacaEval, Arena-Hard, or the reference's JSON",
    )
    .argument("<results>", "results file written by tpo batch (JSONL)")
    .requiredOption(
      "--format <format>",
      "alpaca-eval (model_outputs JSON list), arena-hard (model_answer JSONL) or official (the reference implementation's JSON)",
    )
    .requiredOption("--out <file>", "where to write the answers")
    .option(
      "--mode <side>",
      "whose answers: tpo, revision, bon, or first (first:<mode>): the runs' first samples",
      "tpo",
    )
    .option(
      "--model-name <name>",
      "the model's name in the file (AlpacaEval's generator, Arena-Hard's model); default: the policy and the side",
    )
    .option("--dataset <name>", "alpaca-eval: the dataset field of every entry (e.g. helpful_base)")
    .action((results: string, options: ExportOptions) => {
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
        writeWhole(
          options.out,
          alpacaEvalJson(alpacaEvalEntries(answers.values(), { generator: name, dataset: options.dataset })),
        );
      } else if (format === "arena-hard") {
        writeWhole(options.out, arenaHardJsonl(arenaHardAnswers(answers.values(), { model: name })));
        if (basename(options.out) !== `${name}.jsonl`) {
          console.error(
            `tpo export: Arena-Hard names a model after its answer file: save it as data/<bench>/model_answer/${name}.jsonl.`,
          );
        }
      } else {
        writeWhole(options.out, officialJson(ofMode));
      }
      const named = format === "official" ? "" : `, model ${name}`;
      console.log(`Wrote ${answers.size} ${sideLabel(side)} answers to ${options.out} (${format}${named}).`);
    });
}
