import { createHash } from "node:crypto";
import { CliUsageError } from "../errors.js";

export interface Shard {
  index: number;
  count: number;
}

/** "--shard i/n", with i from 0 to n-1. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index >= count) {
    throw new CliUsageError(`--shard must be i/n with 0 <= i < n (e.g. 0/4 … 3/4), got "${text}".`);
  }
  return { index, count };
}

/** Whether a query belongs to a shard: by a hash of its id, so reordering the input keeps every shard's queries. */
export function inShard(id: string, shard: Shard): boolean {
  const bucket = createHash("sha256").update(id).digest().readUInt32BE(0) % shard.count;
  return bucket === shard.index;
}

/** The items of a shard, in input order: chosen by their ids alone, never by position or source. */
export function itemsOfShard<T extends { id: string }>(items: T[], shard: Shard): T[] {
  return items.filter((item) => inShard(item.id, shard));
}
