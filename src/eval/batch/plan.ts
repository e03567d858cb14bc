import type { TpoContext, TpoMode } from "../../settings/run-settings.js";
import type { BatchItem } from "./input.js";
import { recordKey, type BatchRecord } from "./record.js";

/** One query under one mode: a unit of work of the pool. */
export interface Job {
  item: BatchItem;
  mode: TpoMode;
  context: TpoContext;
}

export interface Plan {
  jobs: Job[];
  /** Input lines that could not be read and have no record yet. */
  unreadable: BatchItem[];
}

/**
 * What is left to do: every readable query under every mode, less those that already have a
 * record (a failed one too, unless `retryFailed`).
 */
export function planJobs(
  items: BatchItem[],
  contexts: Map<TpoMode, TpoContext>,
  existing: Map<string, BatchRecord>,
  retryFailed: boolean,
): Plan {
  const done = (id: string, mode: TpoMode | null, retry: boolean) => {
    const record = existing.get(recordKey(id, mode));
    return record !== undefined && !(retry && record.error);
  };
  const jobs: Job[] = [];
  const unreadable: BatchItem[] = [];
  for (const item of items) {
    if (item.error) {
      if (!done(item.id, null, false)) unreadable.push(item);
      continue;
    }
    for (const [mode, context] of contexts) {
      if (!done(item.id, mode, retryFailed)) jobs.push({ item, mode, context });
    }
  }
  return { jobs, unreadable };
}

/** What planning a resume reads of an earlier record: its id and mode, settings, models, and whether it failed. */
export function planView(record: BatchRecord): BatchRecord {
  const { id, mode, settings, models, error, elapsedMs, finishedAt } = record;
  return { id, mode, query: null, settings, models, error, elapsedMs, finishedAt };
}
