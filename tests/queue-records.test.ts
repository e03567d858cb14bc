import { describe, expect, it } from "vitest";
import { BatchRecordSchema, type BatchRecord } from "../src/eval/batch/record.js";
import { misfitRecordOf } from "../src/batch/queue-jobs.js";
import type { QueueJobData } from "../src/queue/job.js";
import type { SqlClient } from "../src/queue/packages.js";
import { allResults, checkRecord, resultsOf } from "../src/queue/results.js";

/** A record as `tpo batch` writes it. */
const record: BatchRecord = {
  id: "q1",
  mode: "tpo",
  query: "What is 2+2?",
  settings: { width: 2, depth: 1, mode: "tpo" } as BatchRecord["settings"],
  models: { backend: "sim" },
  elapsedMs: 12,
  finishedAt: "2026-12-07T17:00:00.000Z",
};
/** What a worker of another version might have kept: its best answer's score is text. */
const other = { ...record, id: "q2", best: { text: "4", score: "high", iteration: 0 } };

/** The results table as pg would answer it, for the readers' queries. */
function db(rows: { key: string; ok: boolean; record: unknown }[]): SqlClient {
  return {
    query: <Row>(text: string) =>
      Promise.resolve({
        rows: (/now\(\)/.test(text) ? [{ now: new Date() }] : rows) as Row[],
        rowCount: rows.length,
      }),
  };
}

describe("a record crossing the queue", () => {
  it("is checked with the batch's record schema on its way in: a misfit is named, a record passes whole", () => {
    expect(checkRecord(BatchRecordSchema, record)).toEqual({ record });
    const checked = checkRecord(BatchRecordSchema, other);
    expect(checked).toEqual({ misfit: expect.stringContaining("best.score") as string });
  });

  it("comes out of the queue typed, or as unreadable with what does not fit, never cast", async () => {
    const rows = [
      { key: "k1", ok: true, record },
      { key: "k2", ok: true, record: other },
    ];
    for (const read of [
      await resultsOf(db(rows), BatchRecordSchema, ["k1", "k2"]),
      await allResults(db(rows), BatchRecordSchema),
    ]) {
      expect(read[0]).toEqual({ key: "k1", ok: true, record });
      expect(read[1]).toEqual({
        key: "k2",
        ok: true,
        record: null,
        unreadable: expect.stringContaining("best.score") as string,
      });
    }
  });

  it("a batch writes a misfit as a failed record of its job that says why", () => {
    const job = { id: "q2", mode: "tpo", source: "line 2", settings: record.settings } as QueueJobData;
    const failed = misfitRecordOf(job, "best.score: expected number");
    expect(BatchRecordSchema.safeParse(failed).success).toBe(true);
    expect(failed).toMatchObject({ id: "q2", mode: "tpo", error: { source: "line 2" } });
    expect(failed.error!.message).toMatch(/cannot read \(best\.score: expected number\).*same version/);
  });
});
