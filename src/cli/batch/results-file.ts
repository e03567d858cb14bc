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
import { recordKey, type BatchRecord } from "./record.js";

export interface ResultsRead {
  records: BatchRecord[];
  /** Complete lines that were not records (reported, ignored). */
  badLines: number[];
  /** A last line without its newline: a write that a crash cut short. */
  torn: string | null;
}

const MODES = new Set(["tpo", "revision", "bon"]);

/** A record as tpo batch writes it: an id, a mode (null for an unreadable input line), a finish time. */
function looksLikeRecord(value: unknown): value is BatchRecord {
  const record = value as Partial<BatchRecord> | null;
  return (
    typeof record?.id === "string" &&
    (record.mode === null || MODES.has(record.mode as string)) &&
    typeof record.finishedAt === "string"
  );
}

/** Reads a results file; a torn last line is returned apart, never parsed as a record. */
export function readResults(path: string): ResultsRead {
  if (!existsSync(path)) return { records: [], badLines: [], torn: null };
  const text = readFileSync(path, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  const torn = end < text.length ? text.slice(end) : null;
  const records: BatchRecord[] = [];
  const badLines: number[] = [];
  text
    .slice(0, end)
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const value = JSON.parse(line) as BatchRecord;
        if (!looksLikeRecord(value)) throw new Error("not a record");
        records.push(value);
      } catch {
        badLines.push(i + 1);
      }
    });
  return { records, badLines, torn };
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

/** Appends records, each as one write of its whole line, flushed to disk before the next. */
export class ResultsWriter {
  private readonly fd: number;

  constructor(path: string, { truncate = false } = {}) {
    this.fd = openSync(path, truncate ? "w" : "a");
  }

  append(record: BatchRecord): void {
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
