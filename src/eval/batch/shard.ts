import { createHash } from "node:crypto";

/** Part `index` of `count` parts of a data set (`tpo batch --shard index/count`). */
export interface Shard {
  index: number;
  count: number;
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
