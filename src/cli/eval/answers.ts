import { bestAndWorst } from "../../nodes/select.js";
import type { BatchRecord } from "../../eval/batch/record.js";
import { isSuccess } from "../../eval/batch/record.js";
import { warnOnStderr } from "../warn.js";
import { writeLine, type OutStream } from "../io.js";
import { readLatestRecords } from "../../eval/batch/results-file.js";
import { parseSide, resolveSide, sideLabel, type Side } from "../../eval/compare/sides.js";
import { numberFlag } from "../flags.js";
import { CliUsageError } from "../errors.js";

import type { OurAnswer } from "../../eval/leaderboard/judging.js";

/** What is judged of a results file: a side's answers, and how they are named. */
export interface OurAnswers {
  answers: Map<string, OurAnswer>;
  /** `tpo`, `first:tpo`, or `tpo@iteration1`. */
  label: string;
  /** The model name the judged files give our answers (`--model-name`, else the policy's and the label). */
  model: string;
  /** The models that the records name, for the judge's defaults. */
  recordedModels?: Record<string, string>;
  /** Records of the mode without an answer (failed runs). */
  missing: number;
}

/** The records with their pools (an earlier best needs them) and without critiques and gradients. */
function withoutTexts(record: BatchRecord): BatchRecord {
  return record.history
    ? { ...record, history: record.history.map((h) => ({ ...h, critique: null, gradient: null })) }
    : record;
}

/**
 * A record's answer on a side: its best response (the final answer), its first sample, or with an
 * iteration the best of the pool among the candidates written up to that iteration (the answer the
 * run would have given had it stopped there; ties to the earliest, as select does).
 */
function answerOf(record: BatchRecord, side: Side, iteration: number | undefined): string | null {
  if (side.first) return record.pool?.find((c) => c.iteration === 0)?.text ?? null;
  if (iteration === undefined) return record.best?.text ?? null;
  return bestAndWorst((record.pool ?? []).filter((c) => c.iteration <= iteration))?.best.text ?? null;
}

/** The answers of `--mode` (default tpo), or of `--iteration K`'s best, from a results file of `tpo batch`. */
export function readOurAnswers(
  results: string,
  options: { mode?: string; iteration?: string; modelName?: string },
  command: string,
  stderr: OutStream,
): OurAnswers {
  const spec = parseSide("--mode", options.mode ?? "tpo");
  const iteration =
    options.iteration === undefined
      ? undefined
      : numberFlag("--iteration", options.iteration, { integer: true, min: 0 });
  if (iteration !== undefined && spec.first) {
    throw new CliUsageError("--iteration picks a mode's earlier best: give a mode with it, not first.");
  }
  const records = readLatestRecords(results, {
    what: "<results>",
    view: withoutTexts,
    warn: warnOnStderr(command, stderr),
  });
  const side = resolveSide(spec, spec, records, { flag: "--mode", file: results });
  const ofMode = records.filter((r) => r.mode === side.mode);
  const answers = new Map<string, OurAnswer>();
  for (const record of ofMode) {
    if (!isSuccess(record) || record.query === null) continue;
    const text = answerOf(record, side, iteration);
    if (text !== null) answers.set(record.id, { id: record.id, query: record.query, text });
  }
  if (answers.size === 0)
    throw new CliUsageError(`<results>: ${results} has no answers of ${sideLabel(side)}.`);
  const label = `${sideLabel(side)}${iteration === undefined ? "" : `@iteration${iteration}`}`;
  const recordedModels = ofMode.find((r) => r.models)?.models;
  const policy =
    recordedModels?.backend === "sim" ? "tpo-sim" : (recordedModels?.model?.split("/").at(-1) ?? "model");
  return {
    answers,
    label,
    model: options.modelName?.trim() || `${policy}-${label.replace(":", "-")}`,
    recordedModels,
    missing: ofMode.length - answers.size,
  };
}

/** One line on standard error when some runs of our side failed: they have no answer to judge. */
export function warnOfMissingAnswers(ours: OurAnswers, command: string, stderr: OutStream): void {
  if (ours.missing > 0)
    writeLine(stderr, `${command}: ${ours.missing} runs of ${ours.label} have no answer (failed); left out.`);
}
