import { existsSync, statSync } from "node:fs";
import { allResults, type StoredResult } from "../../queue/results.js";
import { retryFailedJobs } from "../../queue/retry.js";
import { queueStatus, type QueueStatus } from "../../queue/status.js";
import { writeAtomically } from "../atomic-write.js";
import { BatchRecordSchema, type BatchRecord } from "../../eval/batch/record.js";
import { CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { duration, table } from "../../util/number-format.js";
import { openQueueForCli } from "../queue/open.js";
import { writeLine, type CliIo } from "../io.js";

function ago(seconds: number): string {
  return `${duration(seconds * 1000)} ago`;
}

/** The status as a person reads it: the jobs, rate and ETA, the workers, the data sets. */
export function formatQueueStatus(where: string, status: QueueStatus): string {
  const { jobs } = status;
  const lines = [
    `Queue ${where}`,
    `jobs: ${jobs.total} in all · ${jobs.queued} queued · ${jobs.active} active · ${jobs.done} done · ${jobs.failed} failed`,
    `rate: ${status.ratePerMinute === null ? "-" : `${status.ratePerMinute.toFixed(1)} jobs/min`} · ETA ${
      status.etaSeconds === null ? "?" : duration(status.etaSeconds * 1000)
    }`,
  ];
  if (status.workers.length === 0) {
    lines.push(
      "",
      "No worker in the last hour: start `tpo worker <url>` on the machines that run the queries.",
    );
  } else {
    lines.push(
      "",
      table(
        ["host", "pid", "state", "active", "done", "failed", "last heartbeat"],
        status.workers.map((w) => [
          w.host,
          String(w.pid),
          w.state,
          `${w.active}/${w.concurrency}`,
          String(w.done),
          String(w.failed),
          ago(w.secondsSinceHeartbeat),
        ]),
      ),
    );
  }
  if (status.datasets.length > 0) {
    lines.push(
      "",
      table(
        ["data set", "jobs", "done", "failed"],
        status.datasets.map((d) => [d.dataset, String(d.total), String(d.done), String(d.failed)]),
      ),
    );
  }
  return lines.join("\n");
}

/** `tpo queue status URL [--json]`. */
export async function queueStatusAction(
  url: string | undefined,
  flags: { json?: boolean },
  io: CliIo,
): Promise<void> {
  const queue = await openQueueForCli(url, io.env, { what: "tpo queue status", poolSize: 2 });
  try {
    const status = await queueStatus(queue);
    writeLine(
      io.stdout,
      flags.json
        ? JSON.stringify({ queue: queue.where, ...status })
        : escapeControl(formatQueueStatus(queue.where, status)),
    );
  } finally {
    await queue.close();
  }
}

/** `tpo queue results URL --out FILE`: every finished record, as tpo batch writes them. */
export async function queueResultsAction(
  url: string | undefined,
  flags: { out: string; dataset?: string; overwrite?: boolean },
  io: CliIo,
): Promise<void> {
  if (existsSync(flags.out)) {
    if (!statSync(flags.out).isFile())
      throw new CliUsageError(`--out ${flags.out} is not a regular file; name a file.`);
    if (!flags.overwrite && statSync(flags.out).size > 0) {
      throw new CliUsageError(
        `--out ${flags.out} exists; pass --overwrite to replace it, or name a new file.`,
      );
    }
  }
  const queue = await openQueueForCli(url, io.env, { what: "tpo queue results", poolSize: 2 });
  let results;
  try {
    results = await allResults(queue.pool, BatchRecordSchema, flags.dataset);
  } finally {
    await queue.close();
  }
  const readable = results.filter((r): r is StoredResult<BatchRecord> => r.record !== null);
  const misfits = results.flatMap((r) => ("unreadable" in r ? [`${r.key} (${r.unreadable})`] : []));
  writeAtomically(flags.out, readable.map((r) => `${JSON.stringify(r.record)}\n`).join(""));
  const failed = readable.filter((r) => !r.ok).length;
  writeLine(
    io.stderr,
    escapeControl(
      `tpo queue results: wrote ${readable.length} record${readable.length === 1 ? "" : "s"} to ${flags.out}` +
        ` (${readable.length - failed} done, ${failed} failed)${flags.dataset ? ` of data set ${flags.dataset}` : ""}` +
        (misfits.length === 0
          ? "."
          : `; left out ${misfits.length} that workers of another version made, which this tpo cannot read: ` +
            `${misfits.slice(0, 3).join(", ")}${misfits.length > 3 ? ", …" : ""}.`),
    ),
  );
}

/** `tpo queue retry URL`: the jobs that failed for good go back in the queue. */
export async function queueRetryAction(
  url: string | undefined,
  flags: { dataset?: string },
  io: CliIo,
): Promise<void> {
  const queue = await openQueueForCli(url, io.env, { what: "tpo queue retry", poolSize: 2 });
  try {
    const count = await retryFailedJobs(queue, { dataset: flags.dataset });
    writeLine(
      io.stderr,
      escapeControl(
        count === 0
          ? `tpo queue retry: no failed job${flags.dataset ? ` in data set ${flags.dataset}` : ""} to put back.`
          : `tpo queue retry: put ${count} failed job${count === 1 ? "" : "s"} back in the queue; ` +
              "the workers resume each from its last checkpoint.",
      ),
    );
  } finally {
    await queue.close();
  }
}
