import type { QueueDb } from "./connection.js";
import { reasonOf } from "./errors-of-pg.js";
import type { AnyJobData, QueueJobData } from "./job.js";
import { resultsOf, resultsSince, type ReadResult, type RecordSchema } from "./results.js";
import { workersOf } from "./status.js";
import { escapeControl } from "../util/escape.js";

export interface WaitOptions<R, J extends AnyJobData = QueueJobData> {
  /** The records' shape: each is checked with it as it is read. */
  recordSchema: RecordSchema<R>;
  /** Called once per job, with its record (or why it does not fit the shape), as the record appears. */
  onResult(result: ReadResult<R>, job: J): void;
  /** Workers sending heartbeats, whenever they are counted again. */
  onWorkers?(active: number): void;
  /** Where a lost and a regained connection are said (`tpo batch`'s standard error). */
  warn(line: string): void;
  /** How often to look for new records (default 1000 ms). */
  pollMs?: number;
  /** What says that the connection is lost and back; shared with the queue's pool, which may notice first. */
  outage?: Outage;
  /** Jobs enqueued while waiting (`--batch-max-cost`): waited for as well, until the feed is closed. */
  feed?: JobFeed<J>;
}

/** Jobs that the waiting batch enqueues one by one while it waits for the records of the earlier ones. */
export class JobFeed<J extends AnyJobData = QueueJobData> {
  private added: J[] = [];
  private closed = false;

  add(job: J): void {
    this.added.push(job);
  }

  /** No more jobs will come. */
  close(): void {
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The jobs added since the last call. */
  take(): J[] {
    const added = this.added;
    this.added = [];
    return added;
  }
}

/**
 * Says once per outage that the connection to the queue is lost, whichever part noticed first (a
 * pool's connection, a read of the records, each noticing it many times), and once that it is back.
 */
export class Outage {
  private down = false;

  /** `warn`: where the lines go (`tpo batch` writes them on its standard error). */
  constructor(private readonly warn: (line: string) => void) {}

  get isDown(): boolean {
    return this.down;
  }

  lost(line: string): void {
    if (!this.down) this.warn(escapeControl(line));
    this.down = true;
  }

  back(line: string): void {
    if (this.down) this.warn(escapeControl(line));
    this.down = false;
  }
}

/** A record written just before the last look but committed after it is still caught. */
const LOOK_BACK_MS = 60_000;
const COUNT_WORKERS_EVERY_MS = 5000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every one of `jobs` has its record in the queue, handing each to `onResult` once,
 * as it appears. The records that exist already come first. A lost connection is reported once
 * (see Outage) and waited out: the workers go on meanwhile, and their records are read when it is back.
 */
export async function waitForRecords<R, J extends AnyJobData = QueueJobData>(
  queue: QueueDb,
  jobs: J[],
  options: WaitOptions<R, J>,
): Promise<void> {
  const pending = new Map(jobs.map((job) => [job.key, job]));
  /** Records read and not handed on yet: handed on outside the reading, whose failures are retried. */
  const arrived: [ReadResult<R>, J][] = [];
  const take = (results: ReadResult<R>[]) => {
    for (const result of results) {
      const job = pending.get(result.key);
      if (!job) continue;
      pending.delete(result.key);
      arrived.push([result, job]);
    }
  };
  const db = queue.pool;
  /** Records read within the look-back, by key, with when each was kept: not to be read again. */
  const recent = new Map<string, number>();
  let since: Date | null = null;
  let lastCount = 0;
  const outage = options.outage ?? new Outage(options.warn);
  const pollMs = options.pollMs ?? 1000;
  const feed = options.feed;
  /** Fed jobs not read yet: their records may be older than the look-back (done by an earlier batch). */
  let fed: J[] = [];
  const more = () => feed !== undefined && !(feed.isClosed && fed.length === 0);
  while (pending.size > 0 || more()) {
    try {
      const added = feed?.take() ?? [];
      for (const job of added) pending.set(job.key, job);
      fed.push(...added);
      if (fed.length > 0) {
        take(
          await resultsOf(
            db,
            options.recordSchema,
            fed.map((job) => job.key),
          ),
        );
        fed = [];
      }
      if (since === null) {
        const { rows } = await db.query<{ now: Date }>("SELECT now() AS now");
        const existing = await resultsOf(db, options.recordSchema, [...pending.keys()]);
        since = rows[0].now;
        for (const result of existing) recent.set(result.key, since.getTime());
        take(existing);
      } else {
        const from: number = since.getTime() - LOOK_BACK_MS;
        const { results, now } = await resultsSince(db, options.recordSchema, new Date(from), [
          ...recent.keys(),
        ]);
        for (const result of results) recent.set(result.key, result.finishedAt.getTime());
        for (const [key, at] of recent) if (at < from) recent.delete(key);
        take(results);
        since = now;
      }
      if (options.onWorkers && Date.now() - lastCount >= COUNT_WORKERS_EVERY_MS) {
        lastCount = Date.now();
        options.onWorkers((await workersOf(db)).filter((w) => w.state === "running").length);
      }
      outage.back(`the connection to ${queue.where} is back.`);
    } catch (error) {
      outage.lost(
        `reading the records from ${queue.where} failed (${reasonOf(error)}); trying again every few seconds.`,
      );
    }
    // A record the caller cannot keep (a full disk) ends the wait with its error.
    for (const [result, job] of arrived.splice(0)) options.onResult(result, job);
    if (pending.size > 0 || more()) await pause(outage.isDown ? pollMs * 5 : pollMs);
  }
}
