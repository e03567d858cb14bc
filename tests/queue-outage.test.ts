import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { Outage, waitForRecords } from "../src/queue/wait.js";
import type { QueueDb } from "../src/queue/connection.js";
import type { QueueJobData } from "../src/queue/job.js";
import { waitUntil } from "./helpers/cli.js";

/** A queue whose results table answers from `records`, and fails every statement while `down`. */
function fakeQueue() {
  const state = { down: false, failedReads: 0, records: new Map<string, { id: string }>() };
  const pool = {
    query: (text: string) => {
      if (state.down) {
        state.failedReads++;
        return Promise.reject(new Error("Connection terminated unexpectedly"));
      }
      if (!/FROM/.test(text)) return Promise.resolve({ rows: [{ now: new Date() }], rowCount: 1 });
      const rows = [...state.records].map(([key, record]) => ({
        key,
        ok: true,
        record,
        finishedAt: new Date(),
      }));
      return Promise.resolve({ rows, rowCount: rows.length });
    },
  };
  return { state, queue: { where: "postgres://tpo@127.0.0.1/q", pool } as unknown as QueueDb };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a waiting batch whose queue goes away", () => {
  it("says so once per outage, whether the pool or a read noticed, and once when it is back", async () => {
    const said: string[] = [];
    const { state, queue } = fakeQueue();
    // As tpo batch --queue wires it: the library's lines, under the command's name.
    const outage = new Outage((line) => said.push(`tpo batch: ${line}`));
    const poolError = () => outage.lost("a connection to the queue was lost (terminated)");
    const seen: string[] = [];
    const jobs = ["a", "b"].map((key) => ({ key }) as QueueJobData);
    const waiting = waitForRecords(queue, jobs, {
      recordSchema: z.object({ id: z.string() }),
      onResult: (result) => seen.push(result.key),
      pollMs: 2,
      outage,
      warn: (line) => said.push(line),
    });

    for (const key of ["a", "b"]) {
      // The server goes: each idle connection of the pool fails, and the reads fail too.
      state.down = true;
      poolError();
      poolError();
      poolError();
      const failed = state.failedReads;
      await waitUntil(() => state.failedReads >= failed + 2, 10_000, "reads to fail");
      state.down = false;
      state.records.set(key, { id: key });
      await waitUntil(() => seen.includes(key), 10_000, `the record of ${key}`);
    }
    await waiting;
    expect(said).toEqual([
      "tpo batch: a connection to the queue was lost (terminated)",
      "tpo batch: the connection to postgres://tpo@127.0.0.1/q is back.",
      "tpo batch: a connection to the queue was lost (terminated)",
      "tpo batch: the connection to postgres://tpo@127.0.0.1/q is back.",
    ]);
  });
});
