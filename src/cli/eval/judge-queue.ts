import type { ResultsWriter } from "../../eval/batch/results-file.js";
import { enqueueJobs } from "../../queue/enqueue.js";
import type { RetryPolicy } from "../../queue/job.js";
import type { JudgeJobData } from "../../queue/judge-job.js";
import { waitForJudgedRows } from "../../queue/judged-rows.js";
import { escapeControl } from "../../util/escape.js";
import { ProgressBar } from "../batch/progress-bar.js";
import { CliRunError, CliUsageError } from "../errors.js";
import { numberFlag } from "../flags.js";
import { writeLine, type OutStream } from "../io.js";
import { openQueueForCli } from "../queue/open.js";
import { Outage } from "../../queue/wait.js";

/** `tpo eval … --queue`'s flags: the queue, and how its judge jobs are retried. */
export interface JudgeQueueOptions {
  queue?: string | true;
  detach?: boolean;
  maxAttempts?: string;
  retryDelay?: string;
  /** Refused with --queue: the workers judge, with their own cache. */
  cache?: string;
}

export interface JudgeQueue {
  queue: string | true;
  detach: boolean;
  policy: RetryPolicy;
}

/** The queue of `--queue` with its flags (as `tpo batch --queue` reads them), or undefined; its flags without it are refused. */
export function judgeQueueOf(options: JudgeQueueOptions): JudgeQueue | undefined {
  if (options.queue === undefined) {
    const given = (["detach", "maxAttempts", "retryDelay"] as const).find((k) => options[k] !== undefined);
    if (given) {
      const flag = { detach: "--detach", maxAttempts: "--max-attempts", retryDelay: "--retry-delay" }[given];
      throw new CliUsageError(`${flag} goes with --queue (it is about the job queue's jobs).`);
    }
    return undefined;
  }
  if (options.cache !== undefined) {
    throw new CliUsageError(
      "--cache does not go with --queue: the workers judge; start tpo worker with --cache to keep and reuse their verdicts.",
    );
  }
  return {
    queue: options.queue,
    detach: options.detach ?? false,
    policy: {
      maxAttempts: numberFlag("--max-attempts", options.maxAttempts ?? "3", { integer: true, min: 1 }),
      retryDelaySeconds: numberFlag("--retry-delay", options.retryDelay ?? "10", { integer: true, min: 1 }),
    },
  };
}

/** What `judgeOnQueue` needs of a judging command: its items, how each becomes a job, and where its rows go. */
export interface QueueJudgingRun<T, R> {
  command: string;
  out: string;
  /** Where the judged rows wait for a rerun when some fail (AlpacaEval's journal), if not --out. */
  journal?: string;
  quiet?: boolean;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  jobOf(item: T): JudgeJobData;
  /** Why a judged row cannot be written (judged by another judge than this command's), or null. */
  misfit(row: R): string | null;
  /** Where each judged row is appended as it comes. */
  writer: ResultsWriter<R>;
  /** Each row once it is written. */
  onJudged(row: R): void;
  /** Items already judged in --out, and all items: the error's count. */
  kept(): number;
  total: number;
  detail?: () => string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Judges `todo` through the job queue: one judge job per item (idempotently: a job the queue
 * has, or has judged, is not made again, so nothing is judged twice; failed ones go back), then
 * waits for `tpo worker`s and appends each judged row as it comes. Failures are counted
 * as the one-process path counts them: the rows that came are kept, and the error says how many
 * are judged and that a rerun continues. With `detach`, only enqueues; returns whether it did.
 */
export async function judgeOnQueue<T, R>(
  todo: readonly T[],
  queueOf: JudgeQueue,
  run: QueueJudgingRun<T, R>,
): Promise<"detached" | "judged"> {
  const say = (line: string) => writeLine(run.stderr, escapeControl(line));
  const jobs = todo.map(run.jobOf);
  const outage = new Outage((line) => say(`${run.command}: ${line}`));
  const queue = await openQueueForCli(queueOf.queue, run.env, {
    what: `${run.command} --queue`,
    onLostConnection: (reason) =>
      outage.lost(`a connection to the queue was lost (${reason}); later reads open a new one.`),
  });
  let failures: { id: string; message: string }[] = [];
  let otherJudge: string[] = [];
  try {
    const enqueued = await enqueueJobs(queue, jobs, queueOf.policy, { retryFailed: true });
    if (!run.quiet || queueOf.detach) {
      say(
        `${run.command}: ${plural(enqueued.added, "new judge job")} on ${queue.where}` +
          (enqueued.pending > 0 ? `, ${enqueued.pending} queued or running already` : "") +
          (enqueued.finished > 0 ? `, ${enqueued.finished} judged already` : "") +
          (enqueued.requeued > 0 ? `, ${enqueued.requeued} failed ones put back` : "") +
          ".",
      );
    }
    if (queueOf.detach) {
      say(
        `${run.command}: detached. Start \`tpo worker <url>\` with the judge's settings on the machines that judge; ` +
          `this same command (without --detach) waits for them and writes ${run.out}.`,
      );
      return "detached";
    }
    const progress = new ProgressBar(jobs.length, {
      label: run.command,
      tty: run.stderr.isTTY === true,
      write: (text) => run.stderr.write(text),
      detail: run.detail,
    });
    if (!run.quiet && jobs.length > 0) progress.start();
    try {
      ({ failures, otherJudge } = await waitForJudgedRows(queue, jobs, {
        outage,
        warn: say,
        misfit: run.misfit,
        onRow: (row: R) => {
          run.writer.append(row);
          run.onJudged(row);
          progress.tick();
        },
        onFailure: () => progress.tick(true),
      }));
    } finally {
      if (!run.quiet && jobs.length > 0) progress.stop();
    }
  } finally {
    await queue.close();
  }
  if (otherJudge.length > 0) {
    throw new CliUsageError(
      escapeControl(
        `${otherJudge.length} of ${jobs.length} items were ${otherJudge[0]}, so they were not written to ${run.out}: ` +
          "give this command the judge that the workers use (the same --judge-model and --judge-base-url, or TPO_JUDGE_*).",
      ),
    );
  }
  if (failures.length > 0) {
    const [first] = failures;
    throw new CliRunError(
      escapeControl(
        `${failures.length} of ${jobs.length} judge jobs failed (${first!.id}: ${first!.message.replace(/\.+$/, "")}). ` +
          `${run.kept()} of ${run.total} are judged in ${run.journal ?? run.out}; run the same command again to judge the rest ` +
          "(it puts the failed jobs back in the queue).",
      ),
    );
  }
  return "judged";
}
