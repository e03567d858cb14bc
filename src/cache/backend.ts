import type { CacheRow } from "./entry.js";

/** Where the rows are: a SQLite file or a PostgreSQL database. */
export interface CacheBackend {
  /** The file, or the URL without its password, for messages. */
  where: string;
  /** The rows of these keys that exist. */
  get(keys: string[]): Promise<Map<string, Pick<CacheRow, "value" | "check">>>;
  /**
   * Adds rows, replacing a row of the same key: one that failed its check is mended, and two
   * writers of one key write answers to the same request.
   */
  put(rows: CacheRow[]): Promise<void>;
  /** Deletes the entries written before `before` (ms since the epoch); returns how many. */
  prune(before: number): Promise<number>;
  /**
   * For a backend that several machines share: claims the keys that no one claimed in the last
   * `staleMs`, and returns those this caller got. Absent: no claims (every miss is computed).
   */
  claim?(keys: string[], staleMs: number): Promise<Set<string>>;
  /** Gives back claims. */
  unclaim?(keys: string[]): Promise<void>;
  /** How many entries there are, by kind. */
  count(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** The format of the tables; a cache of a newer format is refused, not misread. */
export const CACHE_FORMAT = "1";

export const TABLE = "tpo_cache";
export const META_TABLE = "tpo_cache_meta";
export const CLAIMS_TABLE = "tpo_cache_claims";
