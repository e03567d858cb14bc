import type { HistoryRecord } from "../state/state.js";

/** An iteration's record is complete once its best-so-far is known (after select). */
export function isRecordComplete(record: HistoryRecord): boolean {
  return record.bestSoFar !== null;
}

/**
 * Reports each iteration once, when it finishes: give it the history of every state a run
 * streams, and it returns the records that finished since the last call.
 */
export class IterationWatch {
  private readonly reported = new Set<number>();

  newlyFinished(history: readonly HistoryRecord[] | undefined): HistoryRecord[] {
    const fresh = (history ?? []).filter((r) => isRecordComplete(r) && !this.reported.has(r.iteration));
    for (const record of fresh) this.reported.add(record.iteration);
    return fresh;
  }
}
