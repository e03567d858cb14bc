import { closeSync, openSync, readSync } from "node:fs";
import { TpoConfigError, TpoFileError } from "../errors.js";

/** The longest line a command reads, by default: far above any record, far below V8's string limit. */
export const DEFAULT_MAX_LINE_MB = 64;

/** The longest line, in bytes: TPO_MAX_LINE_MB (a whole number of MiB) or the default. */
export function maxLineBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.TPO_MAX_LINE_MB?.trim();
  if (!text) return DEFAULT_MAX_LINE_MB * 2 ** 20;
  const mb = Number(text);
  if (!Number.isInteger(mb) || mb < 1 || mb > 480) {
    throw new TpoConfigError(`TPO_MAX_LINE_MB must be a whole number from 1 to 480, got "${text}".`);
  }
  return mb * 2 ** 20;
}

/** One line of a file, counted from 1; `complete` is false for a last line without its newline. */
export interface Line {
  number: number;
  text: string;
  complete: boolean;
}

export interface ReadLinesOptions {
  /** How errors name the file: its path, or "standard input". */
  name?: string;
  /** The longest line, in bytes (default: maxLineBytes()). */
  maxBytes?: number;
  /** Bytes read at once. */
  chunkBytes?: number;
}

const NEWLINE = 0x0a;

/** `readSync` on standard input may find it non-blocking and empty for now: wait a little and read again. */
function readChunk(fd: number, buffer: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EOF") return 0;
      if (code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** A limit as messages say it: whole MiB, or bytes below one. */
function sizeOf(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.floor(bytes / 2 ** 20)} MiB` : `${bytes} bytes`;
}

export function lineTooLong(name: string, number: number, maxBytes: number): TpoFileError {
  return new TpoFileError(
    `${name} line ${number} is longer than ${sizeOf(maxBytes)}: it is not a line of JSON a command wrote ` +
      "(TPO_MAX_LINE_MB raises the limit).",
  );
}

/**
 * The lines of a file ("-" for standard input), read a chunk at a time: memory holds one line, not
 * the file, and a line longer than the limit (a device that never ends, a binary file) is a usage
 * error naming the line as soon as it passes the limit.
 */
export function* readLines(path: string, options: ReadLinesOptions = {}): Generator<Line> {
  const name = options.name ?? (path === "-" ? "standard input" : path);
  const maxBytes = options.maxBytes ?? maxLineBytes();
  const fd = path === "-" ? 0 : openSync(path, "r");
  const buffer = Buffer.allocUnsafe(options.chunkBytes ?? 2 ** 20);
  let pieces: Buffer[] = [];
  let pending = 0;
  let number = 0;
  try {
    for (;;) {
      const read = readChunk(fd, buffer);
      if (read === 0) break;
      let start = 0;
      for (
        let end = buffer.indexOf(NEWLINE, 0);
        end !== -1 && end < read;
        end = buffer.indexOf(NEWLINE, start)
      ) {
        number++;
        if (pending + end - start > maxBytes) throw lineTooLong(name, number, maxBytes);
        pieces.push(buffer.subarray(start, end));
        yield { number, text: Buffer.concat(pieces).toString("utf8"), complete: true };
        pieces = [];
        pending = 0;
        start = end + 1;
      }
      if (start < read) {
        pending += read - start;
        if (pending > maxBytes) throw lineTooLong(name, number + 1, maxBytes);
        pieces.push(Buffer.from(buffer.subarray(start, read)));
      }
    }
    if (pending > 0)
      yield { number: number + 1, text: Buffer.concat(pieces).toString("utf8"), complete: false };
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/**
 * A whole file ("-" for standard input) as text, read a chunk at a time up to the line limit in
 * total (many short lines count as much as one long one): a device that never ends, or a file of
 * any shape too big to hold, is a usage error rather than memory without bound.
 */
export function readBoundedText(path: string, options: ReadLinesOptions = {}): string {
  const name = options.name ?? (path === "-" ? "standard input" : path);
  const maxBytes = options.maxBytes ?? maxLineBytes();
  const parts: string[] = [];
  let bytes = 0;
  for (const line of readLines(path, { ...options, name, maxBytes })) {
    const text = line.complete ? `${line.text}\n` : line.text;
    bytes += Buffer.byteLength(text);
    if (bytes > maxBytes) {
      throw new TpoFileError(
        `${name} is longer than ${sizeOf(maxBytes)}, which is read whole (TPO_MAX_LINE_MB raises the limit).`,
      );
    }
    parts.push(text);
  }
  return parts.join("");
}
