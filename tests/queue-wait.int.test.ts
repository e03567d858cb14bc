import { z } from "zod";
import { describe, expect, it } from "vitest";
import { waitForRecords } from "../src/queue/wait.js";
import { openQueue } from "../src/queue/connection.js";
import type { QueueJobData } from "../src/queue/job.js";
import { saveResult } from "../src/queue/results.js";
import { waitUntil } from "./helpers/cli.js";
import { useQueueWorld } from "./helpers/queue-world.js";

// A real PostgreSQL server on a free port of 127.0.0.1.
const world = useQueueWorld();
const needServer = world.postgres;

const WORKER = "00000000-0000-4000-8000-000000000001";

describe("a batch waiting for its records", () => {
  it("reads each record once, however often it looks", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("waiting");
    const queue = await openQueue(pg.url("waiting"), { what: "tpo batch --queue", poolSize: 2 });
    try {
      // The rows of the results table the waiting batch is sent, counted at the pool.
      let rowsRead = 0;
      let looks = 0;
      const query = queue.pool.query.bind(queue.pool) as (...args: unknown[]) => Promise<{ rows: unknown[] }>;
      (queue.pool as unknown as { query: typeof query }).query = async (...args: unknown[]) => {
        const result = await query(...args);
        if (/FROM tpo_queue\.results/.test(String(args[0]))) {
          looks++;
          rowsRead += result.rows.length;
        }
        return result;
      };
      const keys = Array.from({ length: 12 }, (_, i) => `set:tpo:q${i}:f`);
      const save = (key: string) =>
        saveResult(queue.pool, {
          key,
          ok: true,
          record: { id: key, pad: "x".repeat(1000) },
          worker: WORKER,
          attempt: 1,
        });
      for (const key of keys.slice(0, 4)) await save(key);
      const seen: string[] = [];
      const waiting = waitForRecords(
        queue,
        keys.map((key) => ({ key }) as QueueJobData),
        {
          recordSchema: z.looseObject({ id: z.string() }),
          onResult: (result) => seen.push(result.key),
          warn: () => {},
          pollMs: 20,
        },
      );
      // One more record each time the batch has looked a few times more.
      for (const key of keys.slice(4)) {
        const after = looks + 5;
        await waitUntil(() => looks >= after, 60_000, "the batch to look again");
        await save(key);
      }
      await waiting;
      expect(seen.sort()).toEqual([...keys].sort());
      expect(looks).toBeGreaterThan(40);
      expect(rowsRead).toBe(keys.length);
    } finally {
      await queue.close();
    }
  }, 180_000);

  it("ends with the error of a record it could not keep, rather than taking it for a lost connection", async (ctx) => {
    const pg = needServer(ctx);
    pg.createDatabase("waiting_full_disk");
    const queue = await openQueue(pg.url("waiting_full_disk"), { what: "tpo batch --queue", poolSize: 2 });
    try {
      const keys = ["set:tpo:a:f", "set:tpo:b:f"];
      for (const key of keys)
        await saveResult(queue.pool, { key, ok: true, record: { id: key }, worker: WORKER, attempt: 1 });
      const warnings: string[] = [];
      const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      const waiting = waitForRecords(
        queue,
        keys.map((key) => ({ key }) as QueueJobData),
        {
          recordSchema: z.looseObject({ id: z.string() }),
          onResult: () => {
            throw full;
          },
          warn: (line) => warnings.push(line),
          pollMs: 20,
        },
      );
      await expect(waiting).rejects.toBe(full);
      expect(warnings).toEqual([]);
    } finally {
      await queue.close();
    }
  }, 60_000);
});
