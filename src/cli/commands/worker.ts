import { createTpoGraph } from "../../graph/builder.js";
import { cacheSavedLine, openCacheOption } from "../cache-option.js";
import { addCacheCounts, type Usage } from "../../state/state.js";
import { loadModels } from "../../from-env/models-from-env.js";
import { redactUrls } from "../../util/redact.js";
import { startQueueWorker, type ClaimedJob, type WorkerEvent } from "../../queue/worker.js";
import { checkpointForgetter, openCheckpointer } from "../../run/checkpoint.js";
import { judgeJobRunner } from "../../queue/judge-runner.js";
import { ALPACA_EVAL_TOP_LOGPROBS } from "../../eval/leaderboard/judge-calls.js";
import {
  describeJudge,
  judgeChatModel,
  judgeSettings,
  type JudgeSettings,
} from "../compare/judge-settings.js";
import type { TpoCache } from "../../cache/tpo-cache.js";
import { judgeCacheOf } from "../../eval/judge-cache.js";
import { escapeControl } from "../../util/escape.js";
import { reachesSimulatedServer } from "../../from-env/simulated-servers.js";
import { modelSettings, numberFlag } from "../flags.js";
import { batchJobRunner } from "../../batch/queue-jobs.js";
import { workerJobRunner, type WorkerRecord } from "../../batch/worker-jobs.js";
import { openQueueForCli, queueUrlOf } from "../queue/open.js";
import { capsOfFlags } from "../serve-options.js";
import { writeLine, type CliIo } from "../io.js";
import { workerUploads } from "../../langsmith/queue-uploads.js";
import { uploadHostOf } from "../langsmith.js";

export interface WorkerFlags extends Record<string, unknown> {
  concurrency: string;
  grace: string;
  lease: string;
  maxWidth: string;
  maxDepth: string;
  maxTokens: string;
  quiet?: boolean;
  cache?: string;
}

function named(job: ClaimedJob): string {
  return `${job.data.id} (${job.data.mode}, data set ${job.data.dataset}, attempt ${job.attempt}/${job.maxAttempts})`;
}

function describe(event: WorkerEvent<WorkerRecord>, quiet: boolean): string | null {
  switch (event.type) {
    case "job.started":
      return quiet ? null : `took ${named(event.job)}`;
    case "job.done": {
      if (quiet) return null;
      const { record } = event.outcome;
      const resumed = "resumedFrom" in record ? record.resumedFrom : undefined;
      return (
        `done ${named(event.job)}` +
        (resumed ? `, resumed at ${resumed.next} after ${resumed.modelRequests} model requests` : "") +
        (event.kept ? "" : "; another run's record was first, kept that one")
      );
    }
    case "job.retrying":
      return quiet ? null : `failed ${named(event.job)}, will retry: ${event.error.message}`;
    case "job.failed":
      return `failed for good ${named(event.job)}: ${event.error.message}`;
    case "job.refused": {
      const { id, mode, dataset, jobId } = event.label;
      return `refused ${id} (${mode ?? "no mode"}, data set ${dataset ?? "unknown"}, job ${jobId}): ${event.reason}; it fails now, without retries.`;
    }
    case "job.lost":
      return `stopped ${named(event.job)}: its lease lapsed and another worker has it`;
    case "job.handed-back":
      return `handed back ${named(event.job)}`;
    case "warning":
      return event.message;
    case "connection.lost":
      return `lost the connection to the queue (${event.reason}); trying again until it is back.`;
    case "connection.back":
      return "the connection to the queue is back.";
  }
}

/**
 * How the worker runs judge jobs: with the judge that `tpo eval` would build from the same flags
 * and variables (--judge-model, TPO_JUDGE_MODEL, … else the policy's).
 */
/** The judge of judge jobs, from the --judge-* flags; with --cache, its verdicts are kept and reused there. */
function judgeOfFlags(flags: WorkerFlags, io: CliIo, cache: TpoCache | undefined) {
  let settings: JudgeSettings | undefined;
  return judgeJobRunner({
    judgeFor: (logprobs) => {
      settings ??= judgeSettings(flags, undefined, io.env);
      const description = describeJudge(settings);
      return {
        model: judgeChatModel(settings, logprobs ? { topLogprobs: ALPACA_EVAL_TOP_LOGPROBS } : {}),
        description,
        ...(cache ? { cache: judgeCacheOf(cache.judgements, description) } : {}),
      };
    },
    otherJudgeFix: "start workers with the judge of tpo eval (--judge-model or TPO_JUDGE_MODEL)",
  });
}

/**
 * `tpo worker URL`: takes jobs from the queue and runs each as `tpo batch` runs a query, with the
 * models of this machine's environment and flags and the PostgreSQL checkpointer of the same
 * database (thread = job key, so that another worker resumes a job where this one stopped).
 * SIGTERM or SIGINT: no more jobs, those in flight get --grace seconds, the rest go back; a second
 * signal stops at once.
 */
export async function workerAction(given: string | undefined, flags: WorkerFlags, io: CliIo): Promise<void> {
  const say = (line: string) => writeLine(io.stderr, escapeControl(redactUrls(`tpo worker: ${line}`)));
  const url = queueUrlOf(given, "tpo worker", io.env);
  const concurrency = numberFlag("--concurrency", flags.concurrency, { integer: true, min: 1 });
  const graceSeconds = numberFlag("--grace", flags.grace, { min: 0 });
  const leaseSeconds = numberFlag("--lease", flags.lease, { integer: true, min: 3 });
  const caps = capsOfFlags(flags);
  const settings = modelSettings(flags, io.env);
  const models = loadModels(settings); // fail now, with the set-up help, before taking a job
  // Its records say "simulated" as a plain batch's do when the server says it is the simulated one.
  settings.simulatedServer = await reachesSimulatedServer(settings);
  // A connection of the queue's pools lost: the worker reports it once per outage (once it runs).
  let connectionLost = (_reason: string) => {};
  const queue = await openQueueForCli(url, io.env, {
    what: "tpo worker",
    poolSize: 4,
    maintenanceSeconds: Math.max(1, Math.floor(leaseSeconds / 2)),
    onLostConnection: (reason) => connectionLost(reason),
  });
  let checkpointer;
  try {
    checkpointer = await openCheckpointer(url, {
      onLostConnection: (reason) => connectionLost(reason),
    });
  } catch (error) {
    await queue.close();
    throw error;
  }
  let cached;
  try {
    cached = await openCacheOption(flags.cache, settings, "tpo worker", io.stderr);
  } catch (error) {
    await checkpointer.close().catch(() => {});
    await queue.close();
    throw error;
  }
  const graph = createTpoGraph({
    ...models,
    checkpointer: checkpointer.saver,
    modelCache: cached?.modelCache,
  });
  let fromCache: Usage["fromCache"];
  const uploads = workerUploads({ ...uploadHostOf(io), warn: say });
  const runner = batchJobRunner(
    graph,
    settings,
    (record) => {
      fromCache = addCacheCounts(fromCache, record.usage?.fromCache);
    },
    uploads.trace,
  );
  const jobs = workerJobRunner(runner, judgeOfFlags(flags, io, cached?.cache), uploads.upload);
  const worker = await startQueueWorker<WorkerRecord>(queue, {
    concurrency,
    leaseSeconds,
    caps,
    ...jobs,
    // Thread = job key.
    forget: checkpointForgetter(checkpointer, (reason) =>
      say(`could not delete the checkpoints of finished jobs (${reason}); they stay.`),
    ),
    onEvent: (event) => {
      const line = describe(event, flags.quiet === true);
      if (line) say(line);
    },
  });
  connectionLost = (reason) => worker.connectionLost(reason);
  say(
    `${worker.host} (PID ${process.pid}) takes jobs from ${queue.where}, ${concurrency} at once, each at most ` +
      `width ${caps.maxWidth}, depth ${caps.maxDepth}, ${caps.maxTokens} tokens; ` +
      "SIGTERM or Ctrl-C stops it.",
  );
  if (settings.backend === "sim")
    say("simulated world: the records show the mechanics of TPO, not real models.");

  const summary = await new Promise<Awaited<ReturnType<typeof worker.stop>>>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        say(
          `${signal}: taking no more jobs; ${worker.active()} in flight get ${graceSeconds} s to finish, then go back ` +
            "to the queue (a second signal: at once).",
        );
      } else {
        say(`${signal} again: stopping the jobs in flight now; they go back to the queue.`);
      }
      void worker.stop(graceSeconds * 1000).then((result) => {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        resolve(result);
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  await checkpointer.close().catch(() => {});
  await cached?.cache.close().catch(() => {});
  await queue.close();
  say(
    `stopped: ${summary.done} job${summary.done === 1 ? "" : "s"} done, ${summary.failed} failed attempt${summary.failed === 1 ? "" : "s"}, ` +
      `${summary.handedBack} handed back.`,
  );
  const saved = cacheSavedLine(fromCache);
  if (saved) say(`the cache ${saved}.`);
}
