import type PgBoss from "pg-boss";
import type { BossDb } from "./connection.js";
import { readJobData, type AnyJobData } from "./job.js";
import type { SqlClient } from "./packages.js";
import { saveResult } from "./results.js";
import { PG_BOSS_SCHEMA, QUEUE_NAME, QUEUE_SCHEMA } from "./schema.js";
import { parseTpoContext } from "../settings/run-settings.js";
import { overCapLine, settingsOverCaps, type RunCaps } from "../settings/caps.js";

/** What names a job whose data a worker refused: the queue's catalogue, else what its data holds. */
export interface JobLabel {
  /** pg-boss's id of the job. */
  jobId: string;
  /** The job key its record is kept under, from the catalogue; null for a job that is not in it. */
  key: string | null;
  id: string;
  mode: string | null;
  dataset: string | null;
}

/** A job's data, or why this worker will not run it: data it cannot read, or settings above its caps. */
export function admitJob(value: unknown, caps?: RunCaps): { data: AnyJobData } | { refused: string } {
  const read = readJobData(value);
  if (!("data" in read) || !caps || read.data.kind !== undefined) return read;
  const over = settingsOverCaps(parseTpoContext(read.data.settings), caps);
  if (over.length === 0) return read;
  return {
    refused: over.map((o) => overCapLine(o, "worker")).join("; "),
  };
}

const text = (value: unknown) => (typeof value === "string" ? value : null);

async function labelOf(db: SqlClient, jobId: string, data: unknown): Promise<JobLabel> {
  const { rows } = await db.query<{ key: string; item_id: string; mode: string; dataset: string }>(
    `SELECT key, item_id, mode, dataset FROM ${QUEUE_SCHEMA}.jobs WHERE job_id = $1`,
    [jobId],
  );
  if (rows[0]) {
    const { key, item_id: id, mode, dataset } = rows[0];
    return { jobId, key, id, mode, dataset };
  }
  // Not enqueued by a batch: no batch waits for its record, and `tpo queue status` counts it from pg-boss.
  const fields = (data !== null && typeof data === "object" ? data : {}) as Record<string, unknown>;
  return {
    jobId,
    key: null,
    id: text(fields.id) ?? `job ${jobId}`,
    mode: text(fields.mode),
    dataset: text(fields.dataset),
  };
}

/**
 * Fails a job for good at once, whatever attempts it has left: another worker of the same version
 * would refuse it too. Its failure record (from `record`) is kept under its key when it has one,
 * so that a batch waiting for it learns why. Runs on `client`, pg-boss's calls on `db` (one
 * transaction, see QueueDb). Returns the job's label.
 */
export async function refuseJob<R>(
  boss: PgBoss,
  client: SqlClient,
  db: BossDb,
  job: { id: string; data: unknown; worker: string; attempt: number },
  reason: string,
  record: (label: JobLabel) => R,
): Promise<JobLabel> {
  const label = await labelOf(client, job.id, job.data);
  if (label.key !== null) {
    await saveResult(client, {
      key: label.key,
      ok: false,
      record: record(label),
      worker: job.worker,
      attempt: job.attempt,
    });
  }
  await client.query(
    `UPDATE ${PG_BOSS_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`,
    [QUEUE_NAME, job.id],
  );
  await boss.fail(QUEUE_NAME, job.id, { message: `refused by a worker: ${reason}` }, { db });
  return label;
}
