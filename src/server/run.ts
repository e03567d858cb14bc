import type { ServerResponse } from "node:http";
import type { TpoGraph } from "../graph/builder.js";
import { runTpo, runTpoToEnd } from "../run/index.js";
import { progressParagraph, progressReasoning, progressStart } from "../adapters/progress-reasoning.js";
import {
  chatCompletion,
  completionChunks,
  reasoningChunk,
  roleChunk,
  type CompletionIds,
} from "./completion.js";
import { upstreamApiError } from "./failure.js";
import { failureOf } from "../run/failure.js";
import { ApiError, sendJson } from "./http-io.js";
import { PlaygroundEvents } from "./playground-events.js";
import { progressLine } from "./progress-comments.js";
import type { RequestProgress, TpoRequest } from "./request.js";
import { PLAYGROUND_EVENT } from "../web/playground-data.js";

export const SHUTDOWN_MESSAGE = "the TPO server is shutting down";

/**
 * The status and body for an error thrown while a request was served (in `step`, when known): an
 * upstream failure is a 502 without the upstream's address or body.
 */
export function toApiError(error: unknown, step: string | null = null): ApiError {
  if (error instanceof ApiError) return error;
  const failure = failureOf(error, step);
  switch (failure.kind) {
    case "settings":
      return new ApiError(400, failure.message, "invalid_request_error", `tpo.${failure.field}`, "invalid_value");
    case "input":
      return new ApiError(400, failure.message, "invalid_request_error", "messages");
    case "upstream":
      return upstreamApiError(failure);
    case "config":
      return new ApiError(500, `The server's models are not configured: ${failure.message}`, "server_error");
    default:
      return new ApiError(500, `The TPO run failed: ${failure.message}`, "server_error");
  }
}

export interface RunTarget {
  graph: TpoGraph;
  request: TpoRequest;
  res: ServerResponse;
  signal: AbortSignal;
  ids: CompletionIds;
  /**
   * "reasoning": the run's progress goes to the client as `reasoning_content` before the answer;
   * "events" (streamed only): as SSE events named `tpo`, which the playground page draws.
   */
  progress: RequestProgress;
  /** The answer to a failed run; default toApiError. */
  fail?: (error: unknown) => ApiError;
}

/** Runs TPO and answers with one chat completion. */
export async function answerWhole({ graph, request, res, signal, ids, progress }: RunTarget): Promise<void> {
  const { state } = await runTpoToEnd(
    graph,
    { messages: request.messages },
    { context: request.settings, signal },
  );
  const reasoning = progress === "reasoning" ? progressReasoning(state.history, request.settings) : undefined;
  sendJson(res, 200, chatCompletion(ids, state, request.settings, reasoning));
}

function write(res: ServerResponse, text: string): void {
  if (!res.writableEnded && !res.destroyed) res.write(text);
}

function writeChunk(res: ServerResponse, chunk: unknown): void {
  write(res, `data: ${JSON.stringify(chunk)}\n\n`);
}

/**
 * Runs TPO and answers as server-sent events: progress as comments while it runs (and a
 * heartbeat comment while a step takes long), then the answer as chat.completion.chunk events.
 * With progress "reasoning", each finished iteration is also a `reasoning_content` delta, sent
 * as it happens, before the answer's `content`; with "events", the run's events are SSE events
 * named `tpo` (see PlaygroundEvent).
 */
export async function answerStreamed(
  { graph, request, res, signal, ids, progress, fail = toApiError }: RunTarget,
  heartbeatMs: number,
  shuttingDown: () => boolean,
): Promise<void> {
  const settings = request.settings;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  write(
    res,
    `: tpo run started (width ${settings.width}, depth ${settings.depth}, mode ${settings.mode})\n\n`,
  );
  const reasoning = progress === "reasoning";
  const playground = progress === "events" ? new PlaygroundEvents() : null;
  if (reasoning) {
    writeChunk(res, roleChunk(ids));
    writeChunk(res, reasoningChunk(ids, progressStart(settings)));
  }
  const heartbeat = setInterval(() => write(res, ": tpo working\n\n"), heartbeatMs);
  heartbeat.unref();
  try {
    const run = runTpo(graph, { messages: request.messages }, { context: settings, signal });
    for await (const event of run) {
      const shown = playground?.of(event);
      if (shown) write(res, `event: ${PLAYGROUND_EVENT}\ndata: ${JSON.stringify(shown)}\n\n`);
      if (event.type === "tpo.node.finished") {
        write(res, `: ${progressLine(event.node, event.update, settings)}\n\n`);
      } else if (event.type === "tpo.iteration.recorded" && reasoning) {
        writeChunk(res, reasoningChunk(ids, progressParagraph(event.record, settings)));
      }
    }
    const { state } = await run.result;
    for (const part of completionChunks(ids, state, settings, request.includeUsage, reasoning)) {
      writeChunk(res, part);
    }
    write(res, "data: [DONE]\n\n");
  } catch (error) {
    // The status line is sent: OpenAI's clients read an error event and raise it.
    const apiError = !signal.aborted
      ? fail(error)
      : shuttingDown()
        ? new ApiError(503, SHUTDOWN_MESSAGE, "server_error")
        : undefined;
    if (apiError) writeChunk(res, apiError.toJSON());
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}
