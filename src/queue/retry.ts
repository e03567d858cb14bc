import type { QueueDb } from "./connection.js";
import { insertBossJobs, requeueFailed } from "./enqueue.js";
import type { AnyJobData } from "./job.js";
import { PG_BOSS_SCHEMA, QUEUE_NAME, QUEUE_SCHEMA } from "./schema.js";

/**
 * Puts every job that failed for good (of one data set, or all) back in the queue, with all its
 * attempts again; a worker resumes each from its last checkpoint. Returns how many went back.
 */
export async function retryFailedJobs(queue: QueueDb, options: { dataset?: string } = {}): Promise<number> {
  return queue.transaction(async (client, db) => {
    // Failed with a record, and failed in pg-boss without one yet (its worker vanished on its last attempt).
    const { rows } = await client.query<{
      key: string;
      data: AnyJobData;
      max_attempts: number;
      retry_delay: number;
    }>(
      `SELECT j.key, j.data, j.max_attempts, j.retry_delay FROM ${QUEUE_SCHEMA}.jobs j
        WHERE ($1::text IS NULL OR j.dataset = $1)
          AND (EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}.results r WHERE r.key = j.key AND NOT r.ok)
               OR (NOT EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}.results r WHERE r.key = j.key)
                   AND EXISTS (SELECT 1 FROM ${PG_BOSS_SCHEMA}.job b
                                WHERE b.name = $2 AND b.id = j.job_id AND b.state = 'failed')))
        FOR UPDATE OF j`,
      [options.dataset ?? null, QUEUE_NAME],
    );
    if (rows.length === 0) return 0;
    await requeueFailed(
      queue.boss,
      client,
      db,
      rows.map((r) => r.key),
    );
    await insertBossJobs(
      queue.boss,
      db,
      rows.map((r) => ({
        data: r.data,
        policy: { maxAttempts: r.max_attempts, retryDelaySeconds: r.retry_delay },
      })),
    );
    return rows.length;
  });
}
