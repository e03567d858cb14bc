import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openQueue } from "../src/queue/connection.js";
import { enqueueJobs } from "../src/queue/enqueue.js";
import { jobKeyOf, type QueueJobData } from "../src/queue/job.js";
import { jobStates } from "../src/queue/pg-boss-sql.js";
import { workersOf } from "../src/queue/status.js";
import { startQueueWorker, type WorkerEvent } from "../src/queue/worker.js";
import { DEFAULT_RUN_CAPS } from "../src/settings/caps.js";
import { parseTpoContext } from "../src/settings/run-settings.js";
import { waitUntil } from "./helpers/cli.js";
import { rows, throttled } from "./helpers/queue.js";
import { useQueueWorld } from "./helpers/queue-world.js";

// The worker's own counts against what a batch sees: a real PostgreSQL server on a free port of
// 127.0.0.1, the worker of src/queue/ with runs of the test's making (no models).
const world = useQueueWorld();

const Record = z.object({ id: z.string(), ok: z.boolean() });
type Record = z.infer<typeof Record>;

function jobData(id: string, settings: unknown = {}): QueueJobData {
  const job = {
    dataset: "counts",
    id,
    source: `line ${id}`,
    mode: "tpo" as const,
    input: { query: `query ${id}` },
    settings: parseTpoContext(settings),
  };
  return { v: 1, key: jobKeyOf(job), ...job };
}

describe("a queue worker's counts", () => {
  it("are in its row once a job's record is: a status read when the batch has every record counts every attempt", async (ctx) => {
    const { pg, url } = world.database(ctx, "counts");
    const queue = await openQueue(url, { what: "the test" });
    try {
      await enqueueJobs(queue, [jobData("a"), jobData("b")], { maxAttempts: 1, retryDelaySeconds: 1 });
      // "b" ends just after "a", within the second in which the worker wrote its row after "a".
      let aDone!: () => void;
      const afterA = new Promise<void>((resolve) => (aDone = resolve));
      const worker = await startQueueWorker<Record>(queue, {
        concurrency: 2,
        leaseSeconds: 60,
        pollMs: 100,
        recordSchema: Record,
        run: async (job) => {
          if (job.data.id === "a") return { record: { id: "a", ok: true } };
          await afterA;
          return { record: { id: "b", ok: false }, error: { message: "b fails" } };
        },
        failureRecord: (data) => ({ id: data.id, ok: false }),
        refusedRecord: (label) => ({ id: label.id, ok: false }),
        onEvent: (event: WorkerEvent<Record>) => {
          if (event.type === "job.done") aDone();
        },
      });
      try {
        // What a waiting batch waits for: both records.
        await waitUntil(
          throttled(() => rows(pg, "counts", "SELECT count(*) FROM tpo_queue.results")[0][0] === "2", 100),
          60_000,
          "both records",
        );
        const [row] = await workersOf(queue.pool);
        expect(row).toMatchObject({ id: worker.id, done: 1, failed: 1 });
        expect(await jobStates(queue.pool)).toEqual({ completed: 1, failed: 1 });
      } finally {
        await worker.stop(0);
      }
    } finally {
      await queue.close();
    }
  });

  it("are in its row once a refused job's record is", async (ctx) => {
    const { pg, url } = world.database(ctx, "refused");
    const queue = await openQueue(url, { what: "the test" });
    try {
      await enqueueJobs(queue, [jobData("wide", { width: 9 })], { maxAttempts: 3, retryDelaySeconds: 1 });
      const worker = await startQueueWorker<Record>(queue, {
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 100,
        caps: { ...DEFAULT_RUN_CAPS, maxWidth: 4 },
        recordSchema: Record,
        run: () => Promise.reject(new Error("a refused job does not run")),
        failureRecord: (data) => ({ id: data.id, ok: false }),
        refusedRecord: (label) => ({ id: label.id, ok: false }),
      });
      try {
        await waitUntil(
          throttled(() => rows(pg, "refused", "SELECT count(*) FROM tpo_queue.results")[0][0] === "1", 100),
          60_000,
          "the refused job's record",
        );
        const [row] = await workersOf(queue.pool);
        expect(row).toMatchObject({ id: worker.id, done: 0, failed: 1 });
        expect(await jobStates(queue.pool)).toEqual({ failed: 1 });
      } finally {
        await worker.stop(0);
      }
    } finally {
      await queue.close();
    }
  });
});
