import { forStream } from "../../util/escape.js";
import { describeFailure } from "../failure.js";
import { modelSettings, parseSettings, pricedAsNeeded, settingsInput } from "../flags.js";
import { describeModels } from "../../from-env/model-identities.js";
import { runTpoToEnd, whenIterationRecorded } from "../../run/index.js";
import { createTpoGraph } from "../../graph/builder.js";
import { loadModels } from "../../from-env/models-from-env.js";
import { turnsOf } from "../../messages/conversation.js";
import { costNote, iterationLine, stopNote } from "../iteration-line.js";
import { stopOf } from "../../eval/batch/record.js";
import { readQueryInput } from "../query-input.js";
import { queryTextOf } from "../../batch/run-job.js";
import { duration, formatNumber } from "../../util/number-format.js";
import { explainIteration, explainOption, type ExplainLevel } from "../explain/explain.js";
import { styleFor, wantsColour } from "../explain/style.js";
import type { TpoContext } from "../../settings/run-settings.js";
import type { HistoryRecord, TpoStateType } from "../../state/state.js";
import { writeLine, type CliIo } from "../io.js";
import { cacheSavedLine, openCacheOption } from "../cache-option.js";

export interface RunOptions extends Record<string, unknown> {
  messages?: string;
  json?: boolean;
  quiet?: boolean;
  explain?: string | boolean;
  cache?: string;
}

/** What `tpo run` prints per iteration on standard error: an explanation, a progress line, or nothing. */
function iterationReporter(
  level: ExplainLevel | null,
  progress: boolean,
  context: TpoContext,
  io: CliIo,
): ((record: HistoryRecord, state: TpoStateType) => void) | undefined {
  if (level) {
    const style = styleFor(wantsColour(io.stderr, io.env));
    const options = { level, depth: context.depth, mode: context.mode, style };
    return (record, state) => writeLine(io.stderr, explainIteration(record, state.pool, options));
  }
  return progress ? (record) => writeLine(io.stderr, iterationLine(record, context.depth)) : undefined;
}

/** `tpo run`'s work; ../declare/run.ts declares the command and loads this on demand. */
export async function runAction(
  queryArgument: string | undefined,
  options: RunOptions,
  io: CliIo,
): Promise<void> {
  const { level, query } = explainOption(options.explain, queryArgument);
  const context = parseSettings(settingsInput(options));
  const input = readQueryInput(query, options.messages);
  const settings = modelSettings(options, io.env);
  const progress = io.stderr.isTTY === true && !options.quiet;
  const started = performance.now();
  let execution;
  const cached = await openCacheOption(options.cache, settings, "tpo run", io.stderr);
  try {
    const graph = createTpoGraph({
      ...pricedAsNeeded(loadModels(settings), context),
      modelCache: cached?.modelCache,
    });
    execution = await runTpoToEnd(graph, input, {
      context,
      onEvent: whenIterationRecorded(iterationReporter(level, progress, context, io)),
    });
  } catch (error) {
    throw describeFailure(error, null, settings);
  } finally {
    await cached?.cache.close();
  }
  const { state } = execution;
  const elapsedMs = performance.now() - started;
  if (options.json) {
    const output = {
      query: queryTextOf(input),
      messages: turnsOf(state.messages.slice(0, -1)),
      mode: context.mode,
      settings: context,
      models: describeModels(settings),
      best: state.best,
      history: state.history,
      pool: state.pool,
      usage: state.usage,
      ...stopOf(state),
      elapsedMs,
    };
    io.stdout.write(forStream(`${JSON.stringify(output, null, 2)}\n`, io.stdout));
  } else {
    io.stdout.write(forStream(`${state.best!.text}\n`, io.stdout));
  }
  if (progress) {
    const u = state.usage;
    writeLine(
      io.stderr,
      `tpo: best ${formatNumber(state.best!.score)} from iteration ${state.best!.iteration} · ${u.modelRequests} model requests · ` +
        `${u.promptTokens + u.completionTokens} tokens${costNote(u)} · ${duration(elapsedMs)}${stopNote(state)}`,
    );
    const saved = cacheSavedLine(u.fromCache);
    if (saved) writeLine(io.stderr, `tpo: the cache ${saved}.`);
  }
}
