import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TpoConfigError, TpoInputError, TpoSettingsError } from "../errors.js";
import { createTpoGraph, type TpoGraph } from "../graph/builder.js";
import { parseTpoContext, type TpoContext, type TpoContextInput } from "../graph/context.js";
import type { TpoStateType, TpoUpdate } from "../graph/state.js";
import type { TpoModelSet } from "../models/env.js";
import { requireBearerToken } from "./auth.js";
import { chatCompletion, completionChunks, completionIds } from "./completion.js";
import { ApiError, parseJson, readBody, sendError, sendJson } from "./http.js";
import { progressLine } from "./progress.js";
import { parseChatCompletionRequest, type TpoRequest } from "./request.js";

export interface TpoServerOptions {
  /** 0 picks a free port; the handle's `url` says which. */
  port: number;
  host?: string;
  /** The models of a request, given the request's `model` (undefined when the client sent none). */
  models: (requestedModel?: string) => TpoModelSet | Promise<TpoModelSet>;
  /** Run settings of every request; a request's sampling fields and `tpo` object override them. */
  defaults?: TpoContextInput;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Largest request body accepted; larger ones get a 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Runs at once; more get a 429 with Retry-After. Default 4. */
  maxConcurrentRuns?: number;
  /** Seconds a 429 asks the client to wait. Default 5. */
  retryAfterSeconds?: number;
  /** What `GET /v1/models` lists. Default ["tpo"]. */
  modelIds?: string[];
  /** The model name a response carries when the request named none. Default: the first of modelIds. */
  defaultModelName?: string;
  /** How often a streaming response sends a keep-alive comment while a step runs. Default 10 s. */
  heartbeatMs?: number;
}

export interface TpoServerHandle {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  /** Runs in progress now. */
  activeRuns(): number;
  /**
   * Stops accepting requests, lets runs in flight finish for up to `graceMs` (default 10 s), then
   * cancels the rest and closes every connection.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

interface Run {
  controller: AbortController;
  done: Promise<void>;
}

const SHUTDOWN = "the TPO server is shutting down";

/** The status and body for an error thrown while a request was served. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TpoSettingsError) {
    return new ApiError(400, error.message, "invalid_request_error", `tpo.${error.field}`, "invalid_value");
  }
  if (error instanceof TpoInputError)
    return new ApiError(400, error.message, "invalid_request_error", "messages");
  const message = error instanceof Error ? error.message : String(error);
  const prefix =
    error instanceof TpoConfigError ? "The server's models are not configured: " : "The TPO run failed: ";
  return new ApiError(500, `${prefix}${message}`, "server_error");
}

function writeEvent(res: ServerResponse, line: string): void {
  if (!res.writableEnded && !res.destroyed) res.write(line);
}

/**
 * An OpenAI-compatible server whose chat completions are TPO runs. Built on node:http: the
 * server needs streaming, body limits and disconnect detection, all of which node:http gives
 * directly, and nothing a framework would add.
 */
export async function startTpoServer(options: TpoServerOptions): Promise<TpoServerHandle> {
  const host = options.host ?? "127.0.0.1";
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxConcurrentRuns = options.maxConcurrentRuns ?? 4;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const modelIds = options.modelIds ?? ["tpo"];
  const defaultModelName = options.defaultModelName ?? modelIds[0] ?? "tpo";
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const defaults = options.defaults ?? {};
  parseTpoContext(defaults); // a bad default fails at start, not on the first request
  const graphs = new WeakMap<TpoModelSet, TpoGraph>();
  const runs = new Set<Run>();
  let closing = false;

  function graphFor(models: TpoModelSet): TpoGraph {
    let graph = graphs.get(models);
    if (!graph) {
      graph = createTpoGraph(models);
      graphs.set(models, graph);
    }
    return graph;
  }

  async function complete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseChatCompletionRequest(parseJson(await readBody(req, maxBodyBytes)), defaults);
    if (runs.size >= maxConcurrentRuns) {
      throw new ApiError(
        429,
        `The server is running its maximum of ${maxConcurrentRuns} TPO runs; retry after ${retryAfter} s.`,
        "rate_limit_error",
        null,
        "too_many_runs",
        { "retry-after": retryAfter },
      );
    }
    // The slot is taken before the first await, so that concurrent requests cannot overshoot the cap.
    const controller = new AbortController();
    let finish!: () => void;
    const run: Run = { controller, done: new Promise<void>((resolve) => (finish = resolve)) };
    runs.add(run);
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error("the client disconnected"));
    };
    res.on("close", onClose);
    try {
      const models = await options.models(request.model);
      const graph = graphFor(models);
      const ids = completionIds(request.model ?? defaultModelName);
      if (request.stream) await streamRun(graph, request, res, controller.signal, ids);
      else {
        const state = await invokeRun(graph, request, controller.signal);
        sendJson(res, 200, chatCompletion(ids, state, request.settings));
      }
    } finally {
      res.off("close", onClose);
      runs.delete(run);
      finish();
    }
  }

  async function invokeRun(graph: TpoGraph, request: TpoRequest, signal: AbortSignal): Promise<TpoStateType> {
    return (await graph.invoke(
      { messages: request.messages },
      { context: request.settings, signal },
    )) as TpoStateType;
  }

  async function streamRun(
    graph: TpoGraph,
    request: TpoRequest,
    res: ServerResponse,
    signal: AbortSignal,
    ids: ReturnType<typeof completionIds>,
  ): Promise<void> {
    const settings: TpoContext = request.settings;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    writeEvent(
      res,
      `: tpo run started (width ${settings.width}, depth ${settings.depth}, mode ${settings.mode})\n\n`,
    );
    const heartbeat = setInterval(() => writeEvent(res, ": tpo working\n\n"), heartbeatMs);
    heartbeat.unref();
    try {
      let state: TpoStateType | undefined;
      const stream = await graph.stream(
        { messages: request.messages },
        { context: settings, signal, streamMode: ["updates", "values"] },
      );
      for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
        if (mode === "values") state = chunk as TpoStateType;
        else {
          for (const [node, update] of Object.entries(chunk as Record<string, TpoUpdate>)) {
            writeEvent(res, `: ${progressLine(node, update ?? {}, settings)}\n\n`);
          }
        }
      }
      if (!state?.best) throw new Error("the run ended without a best response");
      for (const part of completionChunks(ids, state, settings, request.includeUsage)) {
        writeEvent(res, `data: ${JSON.stringify(part)}\n\n`);
      }
      writeEvent(res, "data: [DONE]\n\n");
    } catch (error) {
      // The status line is sent; OpenAI's clients read an error event and raise it.
      if (!signal.aborted) writeEvent(res, `data: ${JSON.stringify(toApiError(error).toJSON())}\n\n`);
      else if (closing)
        writeEvent(res, `data: ${JSON.stringify(new ApiError(503, SHUTDOWN, "server_error").toJSON())}\n\n`);
    } finally {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
    const route = `${req.method} ${path}`;
    if (route !== "POST /v1/chat/completions" && route !== "GET /v1/models") {
      const known = path === "/v1/chat/completions" || path === "/v1/models";
      throw new ApiError(
        known ? 405 : 404,
        known
          ? `${req.method} is not allowed on ${path}.`
          : `Unknown route ${req.method} ${path}: this server offers POST /v1/chat/completions and GET /v1/models.`,
        "invalid_request_error",
        null,
        known ? "method_not_allowed" : "unknown_url",
      );
    }
    if (closing) {
      res.setHeader("connection", "close");
      throw new ApiError(503, `${SHUTDOWN}; retry against another instance.`, "server_error");
    }
    requireBearerToken(req, options.apiKey);
    if (route === "GET /v1/models") {
      const created = Math.floor(Date.now() / 1000);
      sendJson(res, 200, {
        object: "list",
        data: modelIds.map((id) => ({ id, object: "model", created, owned_by: "langgraph-tpo" })),
      });
      return;
    }
    await complete(req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) sendError(res, toApiError(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  async function shutdown(graceMs: number): Promise<void> {
    closing = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const inFlight = () => Promise.all([...runs].map((run) => run.done));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([inFlight(), grace]);
    clearTimeout(timer);
    for (const run of runs) run.controller.abort(new Error(SHUTDOWN));
    await inFlight();
    server.closeAllConnections();
    await stopped;
  }

  return {
    url: `http://${urlHost}:${address.port}`,
    activeRuns: () => runs.size,
    close: ({ graceMs = 10_000 } = {}) => (closed ??= shutdown(graceMs)),
  };
}
