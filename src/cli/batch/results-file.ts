import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { CliUsageError } from "../errors.js";
import { checkResultsFile } from "./out-file.js";
import { recordKey, type BatchRecord } from "./record.js";

/** What a JSONL results file holds: `tpo batch`'s records, or any other records with an id (`tpo compare`'s). */
export interface ResultsRead<T = BatchRecord> {
  records: T[];
  /** Complete lines that were not records (reported, ignored). */
  badLines: number[];
  /** A last line without its newline: a write that a crash cut short. */
  torn: string | null;
}

const MODES = new Set(["tpo", "revision", "bon"]);

/** A record as tpo batch writes it: an id, a mode (null for an unreadable input line), a finish time. */
export function looksLikeBatchRecord(value: unknown): value is BatchRecord {
  const record = value as Partial<BatchRecord> | null;
  return (
    typeof record?.id === "string" &&
    (record.mode === null || MODES.has(record.mode as string)) &&
    typeof record.finishedAt === "string"
  );
}

/**
 * Reads a results file; a torn last line is returned apart, never parsed as a record. A line is a
 * record when `isRecord` says so (default: it has a string id; `tpo batch` checks its own shape).
 */
export function readResults<T extends { id: string } = BatchRecord>(
  path: string,
  isRecord: (value: unknown) => boolean = (value) => typeof (value as { id?: unknown })?.id === "string",
): ResultsRead<T> {
  if (!existsSync(path)) return { records: [], badLines: [], torn: null };
  const text = readFileSync(path, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  const torn = end < text.length ? text.slice(end) : null;
  const records: T[] = [];
  const badLines: number[] = [];
  text
    .slice(0, end)
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const value = JSON.parse(line) as T;
        if (!isRecord(value)) throw new Error("not a record");
        records.push(value);
      } catch {
        badLines.push(i + 1);
      }
    });
  return { records, badLines, torn };
}

/**
 * The latest record of each query and mode of a results file that a command reads (`tpo report`,
 * `tpo compare`, `tpo export`): a torn last line and lines that are not records are reported and
 * left out; a missing file, or one without records, is a usage error naming `what` (the argument).
 */
export function readLatestRecords(path: string, what: string, command: string): BatchRecord[] {
  if (!existsSync(path)) throw new CliUsageError(`${what}: file not found: ${path}`);
  const read = readResults(path);
  if (read.torn !== null) console.error(`${command}: ignoring the cut-short last line of ${path}.`);
  for (const line of read.badLines)
    console.error(`${command}: ${path} line ${line} is not a record; ignored.`);
  const records = [...latestRecords(read.records).values()];
  if (records.length === 0) throw new CliUsageError(`${what}: ${path} has no records.`);
  return records;
}

/** Moves a torn last line to `<path>.torn` and cuts it from the file; returns where it went. */
export function setAsideTornLine(path: string, torn: string): string {
  const aside = `${path}.torn`;
  appendFileSync(aside, `${torn}\n`);
  const size = readFileSync(path).length;
  truncateSync(path, size - Buffer.byteLength(torn));
  return aside;
}

/** The last record of each (id, mode): a retry's record replaces an earlier error. */
export function latestRecords(records: BatchRecord[]): Map<string, BatchRecord> {
  const latest = new Map<string, BatchRecord>();
  for (const record of records) latest.set(recordKey(record.id, record.mode), record);
  return latest;
}

/**
 * What a previous run left in `path`, for a command that appends to it (`tpo batch`, `tpo compare`):
 * nothing with `overwrite`; with `resume` its records, a torn last line set aside and lines that are
 * not records reported; without either, a usage error when it has any record.
 */
export function previousResults<T extends { id: string } = BatchRecord>(
  path: string,
  options: { resume?: boolean; overwrite?: boolean },
  command: string,
  isRecord?: (value: unknown) => boolean,
): T[] {
  const previous = isRecord ? readResults<T>(path, isRecord) : readResults<T>(path);
  // With a record shape to check: a file of something else (an input file, notes) is refused, even
  // with overwrite, rather than appended to or destroyed.
  if (isRecord) checkResultsFile(path, previous, command);
  if (options.overwrite) return [];
  if (!options.resume) {
    if (previous.records.length > 0 || previous.torn !== null) {
      throw new CliUsageError(
        `--out ${path} already has ${previous.records.length} records: pass --resume to continue it, or --overwrite to start again.`,
      );
    }
    return [];
  }
  if (previous.torn !== null) {
    const aside = setAsideTornLine(path, previous.torn);
    console.error(`${command}: the last line of ${path} was cut short by a crash; moved it to ${aside}.`);
  }
  for (const line of previous.badLines)
    console.error(`${command}: ${path} line ${line} is not a record; ignored.`);
  return previous.records;
}

/** Appends records, each as one write of its whole line, flushed to disk before the next. */
export class ResultsWriter<T = BatchRecord> {
  private readonly fd: number;

  constructor(path: string, { truncate = false } = {}) {
    this.fd = openSync(path, truncate ? "w" : "a");
  }

  append(record: T): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    // A write may take part of the line (a disk filling up): the rest follows, or the error does.
    for (let written = 0; written < line.length;) {
      written += writeSync(this.fd, line, written, line.length - written);
    }
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
