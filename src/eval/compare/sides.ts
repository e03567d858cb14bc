import type { TpoMode } from "../../settings/run-settings.js";
import { TpoFileError, TpoSettingsError } from "../../errors.js";
import { isSuccess, MODES, type BatchRecord } from "../batch/record.js";

/**
 * One side of a comparison, or what an export writes: the answers of a mode's runs (their best
 * responses), or those runs' first samples (`first`: the answer without optimisation).
 */
export interface Side {
  mode: TpoMode;
  first: boolean;
}

/** A side as given: `first` may leave its mode to be found (`first` rather than `first:tpo`). */
export interface SideSpec {
  mode: TpoMode | null;
  first: boolean;
}

/** One query's answer on a side. */
export interface Answer {
  id: string;
  /** The query as the prompts showed it (a conversation's transcript). */
  query: string;
  text: string;
  record: BatchRecord;
}

const isMode = (text: string): text is TpoMode => (MODES as readonly string[]).includes(text);

/** `tpo`, `revision`, `bon`, `first` or `first:<mode>`. */
export function parseSide(flag: string, text: string): SideSpec {
  const value = text.trim();
  if (isMode(value)) return { mode: value, first: false };
  if (value === "first") return { mode: null, first: true };
  const mode = /^first:(.+)$/.exec(value)?.[1];
  if (mode !== undefined && isMode(mode)) return { mode, first: true };
  throw new TpoSettingsError(
    "side",
    `${flag} must be a mode (${MODES.join(", ")}) or first (first:<mode> to say whose first sample), got "${text}".`,
  );
}

/** The modes that a file's records ran under, in table order. */
function modesOf(records: readonly Pick<BatchRecord, "mode">[]): TpoMode[] {
  const present = new Set(records.map((r) => r.mode));
  return MODES.filter((m) => present.has(m));
}

/**
 * A side with its mode: `first` alone takes the other side's mode when its file has it (the run's
 * own first sample), else the only mode of its file (`records`); else the user must say
 * `first:<mode>`. A mode that the file has no records of is a usage error.
 */
export function resolveSide(
  spec: SideSpec,
  other: SideSpec,
  records: readonly Pick<BatchRecord, "mode">[],
  where: { flag: string; file: string },
): Side {
  const modes = modesOf(records);
  const has = (mode: TpoMode | null): mode is TpoMode => mode !== null && modes.includes(mode);
  const listed = modes.length > 0 ? modes.join(", ") : "no mode";
  if (spec.mode !== null) {
    if (!has(spec.mode)) {
      throw new TpoFileError(
        `${where.flag} ${spec.first ? "first:" : ""}${spec.mode}: ${where.file} has no records of mode ${spec.mode} (it has ${listed}).`,
      );
    }
    return { mode: spec.mode, first: spec.first };
  }
  if (has(other.mode)) return { mode: other.mode, first: true };
  if (modes.length === 1) return { mode: modes[0], first: true };
  throw new TpoFileError(
    `${where.flag} first: say whose first sample, ${modes.map((m) => `first:${m}`).join(" or ") || "first:<mode>"} ` +
      `(${where.file} has ${listed}).`,
  );
}

export function sideLabel(side: Side): string {
  return side.first ? `first:${side.mode}` : side.mode;
}

/**
 * A run's first sample: the first candidate of iteration 0 in pool order, that is the first
 * non-empty response of the policy's first N samples (identical texts merged). It is what the
 * run would have answered without optimisation and without best-of-N selection.
 */
export function firstSample(record: BatchRecord): string | null {
  return record.pool?.find((candidate) => candidate.iteration === 0)?.text ?? null;
}

/**
 * What the answers of a side read of a record, for a command that keeps many: the record with its
 * pool cut to the first sample and its history without the critiques and gradients (the bulk of a
 * record).
 */
export function answerView(record: BatchRecord): BatchRecord {
  const first = record.pool?.find((candidate) => candidate.iteration === 0);
  return {
    ...record,
    ...(record.pool ? { pool: first ? [first] : [] } : {}),
    ...(record.history
      ? { history: record.history.map((h) => ({ ...h, critique: null, gradient: null })) }
      : {}),
  };
}

/** The answers of a side, by query id: the successful records of its mode, each one's best response or first sample. */
export function answersOf(records: BatchRecord[], side: Side): Map<string, Answer> {
  const answers = new Map<string, Answer>();
  for (const record of records) {
    if (record.mode !== side.mode || !isSuccess(record) || record.query === null) continue;
    const text = side.first ? firstSample(record) : record.best.text;
    if (text === null) continue;
    answers.set(record.id, { id: record.id, query: record.query, text, record });
  }
  return answers;
}
