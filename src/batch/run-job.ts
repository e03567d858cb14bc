import { TpoStepError } from "../errors.js";
import { runTpoToEnd, type TpoRunInput, type TpoRunOptions } from "../run/index.js";
import type { TpoGraph } from "../graph/builder.js";
import { describeRunFailure } from "./run-failure.js";
import { describeModels } from "../from-env/model-identities.js";
import type { BatchItem } from "../eval/batch/input.js";
import type { Job } from "../eval/batch/plan.js";
import { stopOf, type BatchRecord } from "../eval/batch/record.js";
import type { ModelSettings } from "../from-env/models-from-env.js";
import { queryText, turnsOf } from "../messages/conversation.js";

/** The query as records show it: the text, or a conversation's transcript. */
export function queryTextOf(input: TpoRunInput): string {
  return "query" in input ? input.query : queryText(input.messages);
}

function queryOf(item: BatchItem): string | null {
  return item.input ? queryTextOf(item.input) : null;
}

/** The fields a record of `job` starts with, whatever the run comes to. */
export function recordBase(
  job: Job,
  settings: ModelSettings,
): Pick<BatchRecord, "id" | "mode" | "query" | "messages" | "settings" | "models"> {
  const { item, mode, context } = job;
  return {
    id: item.id,
    mode,
    query: queryOf(item),
    ...(item.input && "messages" in item.input ? { messages: turnsOf(item.input.messages) } : {}),
    settings: context,
    models: describeModels(settings),
  };
}

/**
 * Runs one query under one mode and makes its record: the answer, or the failure (the step and
 * the endpoint, never a key). `tpo batch` and `tpo worker` both write records made here.
 */
export async function runJob(
  job: Job,
  graph: TpoGraph,
  settings: ModelSettings,
  options: {
    threadId?: string;
    resume: boolean;
    signal: AbortSignal;
    /** Traces the run into a LangSmith experiment (`tpo batch --langsmith-experiment` with tracing on). */
    trace?: Pick<TpoRunOptions, "callbacks" | "runId">;
  },
): Promise<BatchRecord> {
  const { item, context } = job;
  const started = performance.now();
  const base = recordBase(job, settings);
  try {
    const { state, resumedFrom } = await runTpoToEnd(graph, item.input!, {
      context,
      threadId: options.threadId,
      resume: options.resume,
      signal: options.signal,
      ...options.trace,
    });
    return {
      ...base,
      best: state.best!,
      history: state.history,
      pool: state.pool,
      usage: state.usage,
      ...stopOf(state),
      elapsedMs: performance.now() - started,
      ...(resumedFrom ? { resumedFrom } : {}),
      finishedAt: new Date().toISOString(),
    };
  } catch (error) {
    const failure = describeRunFailure(error, null, settings);
    const step = error instanceof TpoStepError ? error.step : null;
    return {
      ...base,
      elapsedMs: performance.now() - started,
      error: { message: failure.message, ...(step ? { step } : {}), source: item.source },
      finishedAt: new Date().toISOString(),
    };
  }
}
