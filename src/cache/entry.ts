import { createHash } from "node:crypto";

/** What an entry is of: a response to a seeded chat request, a reward score, or a judge's verdict. */
export type EntryKind = "chat" | "score" | "judgement";

/** One row of the cache: the material's hash as key, and a check that ties the value to the material. */
export interface CacheRow {
  key: string;
  kind: EntryKind;
  value: string;
  check: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The key of an entry: the hash of everything its value depends on (kept whole nowhere: it can be long). */
export function keyOf(kind: EntryKind, material: string): string {
  return sha256(`${kind}\u0000${material}`);
}

/**
 * A hash of the material and the value together: a row whose value was cut, changed or written
 * for other material (a foreign or damaged table) fails it, and is a miss rather than a result.
 */
export function checkOf(material: string, value: string): string {
  return sha256(`tpo-cache-check\u0000${material}\u0000${value}`).slice(0, 32);
}

export function rowOf(kind: EntryKind, material: string, value: unknown): CacheRow {
  const text = JSON.stringify(value);
  return { key: keyOf(kind, material), kind, value: text, check: checkOf(material, text) };
}

/** The value of a row found for this material, or undefined when it fails its check or does not parse. */
export function valueOf(material: string, row: Pick<CacheRow, "value" | "check"> | undefined): unknown {
  if (!row || typeof row.value !== "string" || row.check !== checkOf(material, row.value)) return undefined;
  try {
    return JSON.parse(row.value) as unknown;
  } catch {
    return undefined;
  }
}
