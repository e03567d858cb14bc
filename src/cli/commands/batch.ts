import { CliRunError, CliUsageError } from "../errors.js";
import { createTpoGraph } from "../../graph/builder.js";
import { modelSettings, pricedAsNeeded } from "../flags.js";
import { describeModels } from "../../from-env/model-identities.js";
import { BatchCostBudget } from "../../eval/batch-cost-budget.js";
import { runBatch } from "../../batch/run-batch.js";
import { TpoWriteError } from "../../errors.js";
import { checkpointForgetter, openCheckpointer } from "../../run/checkpoint.js";
import { itemsOfBatch, readBatchFlags, type BatchOptions, type PlainBatch } from "../batch/batch-flags.js";
import { recordUnreadable, reportFailedRecord, summarizeResults } from "../batch/finish.js";
import { BatchProgress } from "../batch/progress-bar.js";
import { planJobs, planView } from "../../eval/batch/plan.js";
import { BATCH_RECORDS, previousResults, ResultsWriter } from "../../eval/batch/results-file.js";
import { lockResults } from "../batch/lock.js";
import { settingsDifferences } from "../../eval/batch/settings-check.js";
import { warnOnStderr } from "../warn.js";
import { loadModels } from "../../from-env/models-from-env.js";
import { reachesSimulatedServer } from "../../from-env/simulated-servers.js";
import { cacheSavedLine, openCacheOption } from "../cache-option.js";
import { ExperimentUpload } from "../../langsmith/experiment-upload.js";
import { uploadHostOf } from "../langsmith.js";
import { experimentRecordsOf, queriesOfItems } from "../../langsmith/records.js";
import { writeLine, type CliIo } from "../io.js";

export type { BatchOptions };

/** `tpo batch`'s work; ../declare/batch.ts declares the command and loads this on demand. */
export async function batchAction(input: string, options: BatchOptions, io: CliIo): Promise<void> {
  const flags = readBatchFlags(input, options);
  if (flags.on === "queue") {
    const { batchOnQueue } = await import("./batch-queue.js");
    return batchOnQueue(flags, io);
  }
  return batchHere(flags, options, io);
}

/** The batch's dollar budget, when --batch-max-cost is given: it needs the models' prices. */
function batchBudget(limit: number | undefined, priced: boolean): BatchCostBudget | undefined {
  if (limit === undefined) return undefined;
  if (!priced) {
    throw new CliUsageError(
      "--batch-max-cost needs the models' prices: give --prices FILE (TPO_PRICES) in LiteLLM's format, or --input-price, --output-price and --reward-price.",
    );
  }
  return new BatchCostBudget(limit);
}

/** The queries run by this process, `--concurrency` at once. */
async function batchHere(flags: PlainBatch, options: BatchOptions, io: CliIo): Promise<void> {
  const { input, out, contexts } = flags;
  const items = await itemsOfBatch(flags, io);
  if (items.length === 0) return;

  const settings = modelSettings(options, io.env);
  const release = lockResults(out, "tpo batch"); // before reading --out: one writer at a time
  try {
    const existing = previousResults(
      out,
      flags,
      "tpo batch",
      { ...BATCH_RECORDS, view: planView },
      warnOnStderr("tpo batch", io.stderr),
    );
    const differences = flags.resume
      ? settingsDifferences(existing.values(), contexts, describeModels(settings))
      : [];
    if (differences.length > 0 && !flags.allowMixed) {
      throw new CliUsageError(
        `--out ${out} holds records made with other settings than this run's (${differences.join("; ")}). ` +
          "Resume with the records' settings, or pass --allow-mixed to add records of these settings (the summary keeps them apart).",
      );
    }
    // Before the writer and the checkpointer: a missing langsmith package fails with nothing open.
    const experiments = flags.langsmith
      ? await ExperimentUpload.start(
          "tpo batch",
          flags.langsmith,
          queriesOfItems(items),
          flags.modes,
          uploadHostOf(io),
        )
      : undefined;
    const models = pricedAsNeeded(loadModels(settings), { budgetUsd: [...contexts.values()][0]?.budgetUsd });
    const budget = batchBudget(flags.batchMaxCost, models.prices !== undefined);
    settings.simulatedServer = await reachesSimulatedServer(settings);
    const writer = new ResultsWriter(out, { truncate: flags.overwrite });
    // Opened last: a PostgreSQL pool would keep the process alive if a step after it threw.
    const cached = await openCacheOption(flags.cache, settings, "tpo batch", io.stderr);
    let checkpointer;
    try {
      checkpointer = flags.checkpoint
        ? await openCheckpointer(flags.checkpoint, { warn: (line) => writeLine(io.stderr, line) })
        : undefined;
    } catch (error) {
      await cached?.cache.close();
      throw error;
    }
    const graph = createTpoGraph({
      ...models,
      checkpointer: checkpointer?.saver,
      modelCache: cached?.modelCache,
    });
    const forgetCheckpoints =
      checkpointer &&
      checkpointForgetter(checkpointer, (reason) =>
        writeLine(
          io.stderr,
          `tpo batch: could not delete the checkpoints of finished queries in ${checkpointer.where} (${reason}); they stay there.`,
        ),
      );

    const { jobs, unreadable } = planJobs(items, contexts, existing, flags.retryFailed);
    if (jobs.length === 0 && unreadable.length === 0) {
      writeLine(io.stderr, `tpo batch: every query of ${input} has a record in ${out}: nothing to run.`);
    }
    recordUnreadable(writer, unreadable, input, io.stderr);

    const progress = new BatchProgress(jobs.length, {
      tty: io.stderr.isTTY === true,
      write: (text) => io.stderr.write(text),
    });
    if (!flags.quiet) progress.start();
    let outcome;
    try {
      outcome = await runBatch(jobs, {
        graph,
        settings,
        concurrency: flags.concurrency,
        writer,
        checkpointed: checkpointer !== undefined,
        resume: flags.resume,
        forget: flags.keepCheckpoints ? undefined : forgetCheckpoints,
        budget,
        traceOf: experiments && ((job) => experiments.traceOf(job.item.id, job.mode)),
        onRecord: (record) => {
          if (record.error && !flags.quiet) reportFailedRecord(record, io.stderr);
          progress.complete(record.mode, record.best?.score ?? null);
        },
      });
    } catch (error) {
      if (!(error instanceof TpoWriteError)) throw error;
      throw new CliRunError(
        `${error.message}, so the queries in flight were stopped and no more were started. Make room (or fix ` +
          "the file), then run again with --resume: the records written so far are kept.",
        { cause: error.cause },
      );
    } finally {
      if (!flags.quiet) progress.stop();
      writer.close();
      await checkpointer?.close();
      await cached?.cache.close();
    }

    summarizeResults(out, flags.modes, flags.format, io.stdout);
    await experiments?.finish(experimentRecordsOf(out), out);
    if (budget && budget.refused > 0) {
      writeLine(
        io.stderr,
        `tpo batch: --batch-max-cost ${budget.limitUsd} reached: this run spent $${budget.spent.toFixed(4)}, and ` +
          `${budget.refused} of ${jobs.length} queries were not started (one more would have passed the budget). ` +
          "Run the same command with --resume to run them (its --batch-max-cost is what that run may spend).",
      );
    }
    const saved = cached && cacheSavedLine(outcome.fromCache);
    if (cached)
      writeLine(io.stdout, `Cache ${cached.cache.where} ${saved ?? "answered no request of this run"}.`);
    const failed = outcome.failed + unreadable.length;
    if (failed > 0) {
      throw new CliRunError(
        `${failed} of ${jobs.length + unreadable.length} queries failed; their records in ${out} carry the error ` +
          `(run again with --resume --retry-failed to retry them).`,
      );
    }
  } finally {
    release();
  }
}
