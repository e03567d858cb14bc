import { existsSync, statSync } from "node:fs";
import type { TpoRunInput as QueryInput } from "../../run/index.js";
import { TpoFileError } from "../../errors.js";
import { escapeControl } from "../../util/escape.js";
import { maxLineBytes, readLines } from "../../util/read-lines.js";
import { messagesFromTurns } from "../../messages/conversation.js";
import { contentId } from "./ids.js";

/** One query of a batch, or the reason its line could not be read. */
export interface BatchItem {
  id: string;
  /** Where it came from, for messages: "line 7" (JSONL) or "item 7" (JSON array), counted from 1. */
  source: string;
  input: QueryInput | null;
  error?: string;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The fields a query is read from, for messages. */
const QUERY_FIELDS =
  'a prompt string, or an object with "prompt", "instruction" (AlpacaEval), "turns" (Arena-Hard, one turn) or "messages"';

/**
 * The prompt of an entry: `prompt` (ours, Arena-Hard v2), `instruction` (AlpacaEval), or the one
 * turn of Arena-Hard's `turns`; a string that says why when `turns` is not one turn.
 */
function promptOf(entry: {
  prompt?: unknown;
  instruction?: unknown;
  turns?: unknown;
}): string | { error: string } | undefined {
  for (const text of [entry.prompt, entry.instruction])
    if (typeof text === "string" && text.trim()) return text;
  if (entry.turns === undefined) return undefined;
  const turns = Array.isArray(entry.turns) ? (entry.turns as { content?: unknown }[]) : [];
  if (turns.length !== 1)
    return { error: `"turns" has ${turns.length} turns: give a conversation as "messages" with roles` };
  const content = turns[0]?.content;
  return typeof content === "string" && content.trim()
    ? content
    : { error: '"turns" has no "content" string' };
}

/** An entry of either format: a string prompt, or { id?, prompt } or { id?, messages }. */
function itemOf(
  value: unknown,
  source: string,
): Omit<BatchItem, "id"> & { givenId?: string; content?: unknown } {
  if (typeof value === "string") {
    if (!value.trim()) return { source, input: null, error: "the prompt is empty" };
    return { source, input: { query: value }, content: value };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      source,
      input: null,
      error: `expected ${QUERY_FIELDS}, got ${describeValue(value)}`,
    };
  }
  const entry = value as {
    id?: unknown;
    uid?: unknown;
    question_id?: unknown;
    prompt?: unknown;
    instruction?: unknown;
    turns?: unknown;
    messages?: unknown;
  };
  // Arena-Hard's question files name the id "uid" (v2) or "question_id" (v0.1): its judging matches by it.
  const [idField, idValue] =
    ID_FIELDS.map((f) => [f, entry[f]] as const).find(([, v]) => v !== undefined) ?? [];
  const givenId = typeof idValue === "string" || typeof idValue === "number" ? String(idValue) : undefined;
  if (idValue !== undefined && givenId === undefined)
    return { source, input: null, error: `"${idField}" must be a string or a number` };
  const prompt = promptOf(entry);
  if (typeof prompt === "string") return { source, givenId, input: { query: prompt }, content: prompt };
  if (prompt !== undefined) return { source, givenId, input: null, error: prompt.error };
  if (entry.messages !== undefined) {
    try {
      return {
        source,
        givenId,
        input: { messages: messagesFromTurns(entry.messages) },
        content: entry.messages,
      };
    } catch (error) {
      return { source, givenId, input: null, error: (error as Error).message };
    }
  }
  return {
    source,
    givenId,
    input: null,
    error: 'no query: no "prompt", "instruction" or "turns" string and no "messages" array',
  };
}

/** Where an entry's id is, in this order: ours, then Arena-Hard v2's, then Arena-Hard v0.1's. */
const ID_FIELDS = ["id", "uid", "question_id"] as const;

/** Lines that are not JSON, at the start of a file or in all, that make it not JSONL at all. */
const UNREADABLE_START = 10;
const UNREADABLE_TOTAL = 100;

function notJsonl(path: string, why: string): TpoFileError {
  return new TpoFileError(
    `${path} does not look like JSONL or a JSON array: ${why}. Give a JSON array of prompts, or one JSON object per line.`,
  );
}

/** A line of input: its number (from 1) and its text. */
interface InputLine {
  number: number;
  text: string;
}

/**
 * Reads a batch: a JSON array (the reference implementation's format) or JSONL, with or without a
 * byte-order mark. A malformed line becomes an item with an error, so that it gets an error record
 * instead of stopping the batch; a file whose first lines, or a hundred lines, are not JSON (a
 * binary file, say) is a usage error. Errors echo input with control characters escaped.
 */
export function parseBatchInput(text: string, path: string): BatchItem[] {
  return parseLines(
    text.split("\n").map((line, i) => ({ number: i + 1, text: line })),
    path,
    Number.POSITIVE_INFINITY,
  );
}

/**
 * Reads a batch from a file, or standard input for "-", as `parseBatchInput` does, a line at a
 * time: JSONL of any size takes the memory of its queries, and a line longer than the limit (a
 * device that never ends) is a usage error naming it. A JSON array is one value, read whole up to
 * the same limit.
 */
export function readBatchInput(path: string): BatchItem[] {
  if (path !== "-" && !existsSync(path)) throw new TpoFileError(`<input>: file not found: ${path}`);
  if (path !== "-" && statSync(path).isDirectory())
    throw new TpoFileError(`<input>: ${path} is a directory.`);
  return parseLines(readLines(path), path, maxLineBytes());
}

function parseLines(lines: Iterable<InputLine>, path: string, maxArrayBytes: number): BatchItem[] {
  const items = parseItems(lines, path, maxArrayBytes);
  // Nothing to run: one error now beats an error record per entry, an empty run and a resume hint.
  if (items.length > 0 && items.every((item) => item.input === null)) {
    throw new TpoFileError(
      escapeControl(
        `${path}: ${items.length === 1 ? "its one entry has no" : `none of its ${items.length} entries has a`} query ` +
          `(${items[0].source}: ${items[0].error}). ` +
          `Each entry is ${QUERY_FIELDS}.`,
      ),
    );
  }
  return items.map((item) => (item.error ? { ...item, error: escapeControl(item.error) } : item));
}

type RawItem = { value?: unknown; parseError?: string; source: string };

/** The whole of a JSON array, from its first line on. */
function readArray(first: string, rest: Iterator<InputLine>, path: string, maxBytes: number): RawItem[] {
  const parts = [first];
  let bytes = Buffer.byteLength(first);
  for (let next = rest.next(); !next.done; next = rest.next()) {
    bytes += Buffer.byteLength(next.value.text) + 1;
    if (bytes > maxBytes) {
      throw new TpoFileError(
        `${path} is a JSON array longer than ${Math.floor(maxBytes / 2 ** 20)} MiB, which is read whole: ` +
          "give the queries as JSONL (one a line), which is read a line at a time (or raise TPO_MAX_LINE_MB).",
      );
    }
    parts.push(next.value.text);
  }
  let array: unknown;
  try {
    array = JSON.parse(parts.join("\n"));
  } catch (error) {
    throw new TpoFileError(
      `${path} starts like a JSON array but is not valid JSON: ${escapeControl((error as Error).message)}`,
    );
  }
  if (!Array.isArray(array)) throw new TpoFileError(`${path} starts like a JSON array but is not one.`);
  return array.map((value, i) => ({ value, source: `item ${i + 1}` }));
}

function parseItems(lines: Iterable<InputLine>, path: string, maxArrayBytes: number): BatchItem[] {
  const raw: RawItem[] = [];
  const iterator = lines[Symbol.iterator]();
  let unreadable = 0;
  let first = true;
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    const { number } = next.value;
    const line = first ? next.value.text.replace(/^\uFEFF/, "") : next.value.text;
    if (!line.trim()) continue;
    if (first && line.trimStart().startsWith("[")) {
      for (const item of readArray(line.trimStart(), iterator, path, maxArrayBytes)) raw.push(item);
      break;
    }
    first = false;
    try {
      raw.push({ value: JSON.parse(line), source: `line ${number}` });
    } catch (error) {
      raw.push({ parseError: `invalid JSON: ${(error as Error).message}`, source: `line ${number}` });
      unreadable++;
      if (unreadable === raw.length && unreadable >= UNREADABLE_START) {
        throw notJsonl(path, `its first ${UNREADABLE_START} lines are not JSON`);
      }
      if (unreadable >= UNREADABLE_TOTAL)
        throw notJsonl(path, `${UNREADABLE_TOTAL} of its lines are not JSON`);
    }
  }
  if (unreadable > 0 && unreadable === raw.length) {
    throw notJsonl(path, `none of its ${unreadable} line${unreadable > 1 ? "s is" : " is"} JSON`);
  }
  const seen = new Map<string, number>();
  return raw.map(({ value, parseError, source }) => {
    const item = parseError ? { source, input: null, error: parseError } : itemOf(value, source);
    const fallbackId = source.replace(" ", "-");
    if (item.error || item.input === null)
      return { id: item.givenId ?? fallbackId, source, input: null, error: item.error };
    let id = item.givenId ?? contentId(item.content);
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    if (count > 1) {
      if (item.givenId !== undefined) {
        return { id: fallbackId, source, input: null, error: `duplicate id "${item.givenId}"` };
      }
      id = `${id}-${count}`;
    }
    return { id, source, input: item.input };
  });
}
