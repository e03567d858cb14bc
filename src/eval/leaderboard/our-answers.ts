import { bestAndWorst } from "../../nodes/select.js";
import { isSuccess, policyNameOf, type BatchRecord } from "../batch/record.js";
import { sideLabel, type Side } from "../compare/sides.js";
import type { OurAnswer } from "./judging.js";

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

/** A record with its pool (an earlier best needs it) and without critiques and gradients: the view to read records with. */
export function withoutCritiques(record: BatchRecord): BatchRecord {
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

/**
 * The answers of a side (a resolved mode, or its first samples), or with `iteration` its best up
 * to that iteration, of a results file's records; `modelName` names them, else the policy and the label.
 */
export function ourAnswersOf(
  records: readonly BatchRecord[],
  side: Side,
  options: { iteration?: number; modelName?: string } = {},
): OurAnswers {
  const { iteration } = options;
  const ofMode = records.filter((r) => r.mode === side.mode);
  const answers = new Map<string, OurAnswer>();
  for (const record of ofMode) {
    if (!isSuccess(record) || record.query === null) continue;
    const text = answerOf(record, side, iteration);
    if (text !== null) answers.set(record.id, { id: record.id, query: record.query, text });
  }
  const label = `${sideLabel(side)}${iteration === undefined ? "" : `@iteration${iteration}`}`;
  const recordedModels = ofMode.find((r) => r.models)?.models;
  const policy = policyNameOf(recordedModels);
  return {
    answers,
    label,
    model: options.modelName?.trim() || `${policy}-${label.replace(":", "-")}`,
    recordedModels,
    missing: ofMode.length - answers.size,
  };
}
