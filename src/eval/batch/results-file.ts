import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  statSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { z } from "zod";
import { TpoFileError } from "../../errors.js";
import { escapeControl } from "../../util/escape.js";
import { readLines } from "../../util/read-lines.js";
import { BatchRecordSchema, recordKey, type BatchRecord } from "./record.js";

/** A complete line that is not a record, and why. */
export interface BadLine {
  line: number;
  reason: string;
}

/** What a pass over a results file found besides its records. */
export interface ResultsScan {
  /** How many lines were records. */
  records: number;
  /** The first lines that were not records (up to BAD_LINES_KEPT), and how many there were in all. */
  badLines: BadLine[];
  badCount: number;
  /** A last line without its newline: a write that a crash cut short. */
  torn: string | null;
}

/** What a JSONL results file holds: `tpo batch`'s records, or any other records with an id (`tpo compare`'s). */
export interface ResultsRead<T = BatchRecord> extends Omit<ResultsScan, "records"> {
  records: T[];
}

const BAD_LINES_KEPT = 100;
const BAD_LINES_SHOWN = 10;

/** Why a value is not a record: the first field that does not fit, e.g. `best.text: expected string, received number`. */
function whyNot(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  const message = (issue?.message ?? "invalid").replace(/^Invalid input: /, "");
  return path ? `${path}: ${message}` : message;
}

/**
 * Reads a results file line by line, handing each record that fits `schema` to `onRecord`, as it
 * comes: memory holds what the caller keeps, not the file. A torn last line is returned apart,
 * never parsed as a record; a line that is not JSON, or not a record, is counted with its reason.
 */
export function scanResults<T>(
  path: string,
  schema: z.ZodType<T>,
  onRecord: (record: T) => void,
): ResultsScan {
  const scan: ResultsScan = { records: 0, badLines: [], badCount: 0, torn: null };
  if (!existsSync(path)) return scan;
  const bad = (line: number, reason: string) => {
    scan.badCount++;
    if (scan.badLines.length < BAD_LINES_KEPT) scan.badLines.push({ line, reason: escapeControl(reason) });
  };
  for (const line of readLines(path)) {
    if (!line.complete) {
      scan.torn = line.text;
      break;
    }
    if (!line.text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      bad(line.number, `not JSON (${(error as Error).message.slice(0, 80)})`);
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      bad(line.number, whyNot(parsed.error));
      continue;
    }
    scan.records++;
    onRecord(parsed.data);
  }
  return scan;
}

/** Reads a whole results file (a test's, or a small one): every record, in order. */
export function readResults<T = BatchRecord>(
  path: string,
  schema: z.ZodType<T> = BatchRecordSchema as unknown as z.ZodType<T>,
): ResultsRead<T> {
  const records: T[] = [];
  const { badLines, badCount, torn } = scanResults(path, schema, (record) => records.push(record));
  return { records, badLines, badCount, torn };
}

/** Told of what a read leaves out (a torn last line, lines that are not records): one line each, without the command's name. */
export type Warn = (message: string) => void;

const ignore: Warn = () => {};

/** One warning per line that is not a record (the first few), naming the file, the line and the field. */
export function warnBadLines(
  path: string,
  scan: Pick<ResultsScan, "badLines" | "badCount">,
  warn: Warn,
): void {
  for (const { line, reason } of scan.badLines.slice(0, BAD_LINES_SHOWN)) {
    warn(`${path} line ${line}: ${reason}; left out.`);
  }
  const more = scan.badCount - Math.min(scan.badLines.length, BAD_LINES_SHOWN);
  if (more > 0) warn(`${path}: ${more} more lines are not records; left out.`);
}

export interface ReadRecordsOptions {
  /** How errors name the file, e.g. the argument that gave it (`<results>`); by default they start with the path. */
  what?: string;
  /** What to keep of each record (a command that holds many keeps less of each); by default all of it. */
  view?: (record: BatchRecord) => BatchRecord;
  /** Told of a torn last line and of lines that are not records, which are left out. */
  warn?: Warn;
}

/**
 * The latest record of each query and mode of a results file (`tpo batch`'s output): a retry's
 * record replaces an earlier failure. A torn last line and lines that are not records are left
 * out (and told to `warn`); a missing file, a folder, or a file without records is a
 * `TpoFileError`.
 */
export function readLatestRecords(path: string, options: ReadRecordsOptions = {}): BatchRecord[] {
  const { view = (record: BatchRecord) => record, warn = ignore } = options;
  const named = (message: string) => new TpoFileError(options.what ? `${options.what}: ${message}` : message);
  if (!existsSync(path)) throw named(`file not found: ${path}`);
  if (statSync(path).isDirectory()) throw named(`${path} is a directory, not a results file.`);
  const latest = new Map<string, BatchRecord>();
  const scan = scanResults(path, BatchRecordSchema, (record) =>
    latest.set(recordKey(record.id, record.mode), view(record)),
  );
  if (scan.torn !== null) warn(`ignoring the cut-short last line of ${path}.`);
  warnBadLines(path, scan, warn);
  if (latest.size === 0) throw named(`${path} has no records.`);
  return [...latest.values()];
}

/** Moves a torn last line to `<path>.torn` and cuts it from the file; returns where it went. */
export function setAsideTornLine(path: string, torn: string): string {
  const aside = `${path}.torn`;
  appendFileSync(aside, `${torn}\n`);
  const size = statSync(path).size;
  truncateSync(path, size - Buffer.byteLength(torn));
  return aside;
}

/** The last record of each (id, mode): a retry's record replaces an earlier error. */
export function latestRecords(records: Iterable<BatchRecord>): Map<string, BatchRecord> {
  const latest = new Map<string, BatchRecord>();
  for (const record of records) latest.set(recordKey(record.id, record.mode), record);
  return latest;
}

/** How a command that appends to a results file reads what is there: its records' shape, their key, what it keeps of each. */
export interface RecordsOf<T> {
  schema: z.ZodType<T>;
  key: (record: T) => string;
  view?: (record: T) => T;
}

/** `tpo batch`'s records, by query and mode. */
export const BATCH_RECORDS: RecordsOf<BatchRecord> = {
  schema: BatchRecordSchema,
  key: (record) => recordKey(record.id, record.mode),
};

/**
 * What a previous run left in `path`, for a command that appends to it (`tpo batch`, `tpo compare`),
 * as the latest record of each key: nothing with `overwrite`; with `resume` its records, a torn
 * last line set aside and lines that are not records reported; without either, a usage error when
 * it has any record. A file of something else (an input file, notes) is refused, even with
 * overwrite, rather than appended to or destroyed.
 */
export function previousResults<T>(
  path: string,
  options: { resume?: boolean; overwrite?: boolean },
  command: string,
  of: RecordsOf<T>,
  warn: Warn = ignore,
): Map<string, T> {
  const latest = new Map<string, T>();
  const view = of.view ?? ((record: T) => record);
  const scan = scanResults(path, of.schema, (record) => latest.set(of.key(record), view(record)));
  checkResultsFile(path, scan, command);
  if (options.overwrite) return new Map();
  if (!options.resume) {
    if (scan.records > 0 || scan.torn !== null) {
      throw new TpoFileError(
        `--out ${path} already has ${scan.records} records: pass --resume to continue it, or --overwrite to start again.`,
      );
    }
    return latest;
  }
  if (scan.torn !== null) {
    const aside = setAsideTornLine(path, scan.torn);
    warn(`the last line of ${path} was cut short by a crash; moved it to ${aside}.`);
  }
  warnBadLines(path, scan, warn);
  return latest;
}

/**
 * Refuses an `--out` that holds something other than records (an input file, notes): resuming would
 * append to it, and overwriting would destroy it.
 */
export function checkResultsFile(
  out: string,
  scan: Pick<ResultsScan, "records" | "badLines" | "torn">,
  command = "tpo batch",
): void {
  if (scan.records > 0) return;
  const firstBad = scan.badLines[0];
  // A record cut short by a crash during the first write is still the start of a results file.
  if (firstBad === undefined && (scan.torn === null || scan.torn.startsWith('{"id":'))) return;
  throw new TpoFileError(
    `--out ${out} is not a results file of ${command} (${
      firstBad !== undefined
        ? `line ${firstBad.line} is not a record`
        : "it holds one line that is not a record"
    }); name a new file, or move this one away.`,
  );
}

/** Appends records, each as one write of its whole line, flushed to disk before the next. */
export class ResultsWriter<T = BatchRecord> {
  private readonly fd: number;

  constructor(
    readonly path: string,
    { truncate = false } = {},
  ) {
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
