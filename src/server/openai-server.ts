import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { TpoConfigError } from "../errors.js";
import { createTpoGraph, type TpoGraph } from "../graph/builder.js";
import { parseTpoContext, type TpoContextInput } from "../settings/run-settings.js";
import type { TpoModels } from "../models/tpo-models.js";
import { TPO_PROGRESS_MODES, type TpoProgressMode } from "../adapters/progress-reasoning.js";
import { requireBearerToken } from "./auth.js";
import { listenOn } from "./guarded-http.js";
import { completionIds } from "./completion.js";
import { browserGuard, guardBrowser, requireJson } from "./guard.js";
import { ApiError, parseJson, readBody, sendError, sendJson } from "./http-io.js";
import { cappedDefaults } from "../settings/capped-defaults.js";
import { DEFAULT_SERVER_CAPS, requestSettingsSchema, type ServerCaps } from "./limits.js";
import { playgroundHeaders, playgroundHtml, settingFields } from "./playground-page.js";
import { parseChatCompletionRequest } from "./request.js";
import { answerStreamed, answerWhole, SHUTDOWN_MESSAGE, toApiError } from "./run.js";

export interface TpoServerOptions {
  /** 0 picks a free port; the handle's `url` says which. */
  port: number;
  host?: string;
  /**
   * The models of a request, given the request's `model` (undefined when the client sent none).
   * Called once per model name: the server keeps the graph built on them while it runs (a call that
   * throws is made again on the next request).
   */
  models: (requestedModel?: string) => TpoModels | Promise<TpoModels>;
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
  /**
   * What one request may ask for: width, depth and tokens; more is a 400 naming the cap. Default
   * {@link DEFAULT_SERVER_CAPS}. The request's `model` must be one of `modelIds` (or absent).
   */
  caps?: Partial<ServerCaps>;
  /**
   * Host names (besides loopback names and the bound address) accepted in the `Host` header; others
   * get a 403, against DNS rebinding. A server bound to 0.0.0.0 or :: accepts any Host unless this
   * is given.
   */
  allowedHosts?: string[];
  /** Origins that browsers may call the server from (CORS), e.g. https://app.example; "*" for any. Default none. */
  corsOrigins?: string[];
  /** Open connections at most; more are closed at once. Default 64. */
  maxConnections?: number;
  /** Time a client has to send a whole request, headers and body. Default 30 s. */
  requestTimeoutMs?: number;
  /** Time a client has to send the request's headers (at most requestTimeoutMs). Default 10 s. */
  headersTimeoutMs?: number;
  /**
   * Told about every run that failed on the server's side (a 5xx), with the whole error: the
   * client's answer leaves out upstream addresses and bodies, a log should keep them.
   */
  onError?: (error: unknown, answer: ApiError) => void;
  /**
   * How responses show the run's progress when a request's `tpo.progress` does not say:
   * "reasoning" sends it as `reasoning_content` (streamed per iteration, or whole in the message)
   * before the answer; "off" (the default) sends the answer alone.
   */
  progress?: TpoProgressMode;
  /**
   * Serve the playground page at `/`: a prompt, the run settings within the caps, the run drawn
   * as it happens, Stop. Its requests go through the same checks as any (token, Host, caps); its
   * own Origin is accepted. Off by default. `note` is shown at the top of the page.
   */
  ui?: boolean | { note?: string };
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
  const caps = { ...DEFAULT_SERVER_CAPS, ...options.caps };
  const maxConnections = options.maxConnections ?? 64;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const headersTimeoutMs = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeoutMs);
  const numbers = {
    maxBodyBytes,
    maxConcurrentRuns,
    heartbeatMs,
    maxConnections,
    requestTimeoutMs,
    headersTimeoutMs,
    maxWidth: caps.maxWidth,
    maxTokens: caps.maxTokens,
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TpoConfigError(`startTpoServer: ${name} must be a positive whole number, got ${value}.`);
    }
  }
  const progress = options.progress ?? "off";
  if (!TPO_PROGRESS_MODES.includes(progress)) {
    throw new TpoConfigError(
      `startTpoServer: progress must be ${TPO_PROGRESS_MODES.map((m) => `"${m}"`).join(" or ")}, got ${JSON.stringify(progress)}.`,
    );
  }
  if (!Number.isInteger(caps.maxDepth) || caps.maxDepth < 0) {
    throw new TpoConfigError(`startTpoServer: caps.maxDepth must be a whole number, got ${caps.maxDepth}.`);
  }
  const defaults = cappedDefaults(options.defaults ?? {}, caps, "serve");
  parseTpoContext(defaults); // a bad default fails at start, not on the first request
  const settingsSchema = requestSettingsSchema(caps);
  let guard: ReturnType<typeof browserGuard>;
  try {
    guard = browserGuard(host, options.allowedHosts, options.corsOrigins, Boolean(options.ui));
  } catch (error) {
    throw new TpoConfigError(`startTpoServer: corsOrigins: ${(error as Error).message}.`);
  }
  const playground = options.ui
    ? playgroundHtml({
        models: modelIds,
        tokenRequired: options.apiKey !== undefined,
        note: typeof options.ui === "object" ? (options.ui.note ?? null) : null,
        fields: settingFields(defaults, caps),
      })
    : null;
  // One graph per served model name for the server's life: its clients, pools and compiled graph
  // are shared by every request, so a pool's load and in-flight counts see them all. The names are
  // the bounded modelIds (others are refused first); a build that failed is tried again.
  const graphs = new Map<string | undefined, Promise<TpoGraph>>();
  const runs = new Set<Run>();
  let closing = false;

  function graphFor(model: string | undefined): Promise<TpoGraph> {
    let graph = graphs.get(model);
    if (!graph) {
      graph = Promise.resolve()
        .then(() => options.models(model))
        .then((models) => createTpoGraph(models));
      graphs.set(model, graph);
      graph.catch(() => graphs.delete(model));
    }
    return graph;
  }

  async function complete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requireJson(req);
    const request = parseChatCompletionRequest(
      parseJson(await readBody(req, maxBodyBytes)),
      defaults,
      settingsSchema,
    );
    if (request.model !== undefined && !modelIds.includes(request.model)) {
      throw new ApiError(
        400,
        `The model '${request.model}' is not served here: this server runs TPO with ${modelIds.join(", ")}; ` +
          "name one of them or leave 'model' out (an operator adds names with tpo serve --models).",
        "invalid_request_error",
        "model",
        "model_not_found",
      );
    }
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
    let settle!: () => void;
    const run: Run = { controller, done: new Promise<void>((resolve) => (settle = resolve)) };
    const finish = () => {
      runs.delete(run);
      settle();
    };
    runs.add(run);
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error("the client disconnected"));
    };
    res.on("close", onClose);
    const fail = (error: unknown) => {
      const answer = toApiError(error);
      if (answer.status >= 500) options.onError?.(error, answer);
      return answer;
    };
    try {
      const graph = await graphFor(request.model);
      const target = {
        graph,
        request,
        res,
        signal: controller.signal,
        ids: completionIds(request.model ?? defaultModelName),
        progress: request.progress ?? progress,
        fail,
      };
      if (request.stream) await answerStreamed(target, heartbeatMs, () => closing);
      else await answerWhole(target);
    } catch (error) {
      if (!res.headersSent && !res.destroyed) {
        const cancelled = closing && controller.signal.aborted;
        if (cancelled) res.setHeader("connection", "close");
        sendError(res, cancelled ? new ApiError(503, SHUTDOWN_MESSAGE, "server_error") : fail(error));
      }
    } finally {
      res.off("close", onClose);
      // Done once the answer has left, so that shutdown does not cut it off when it closes sockets.
      if (res.writableFinished || res.destroyed) finish();
      else res.once("finish", finish).once("close", finish);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (guardBrowser(req, res, guard)) return; // a CORS preflight of an allowed origin, answered
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
    const route = `${req.method} ${path}`;
    if (playground !== null && route === "GET ") {
      // The page holds no secret: it asks for the token and sends it with each run.
      res.writeHead(200, { ...playgroundHeaders(), "content-length": Buffer.byteLength(playground) });
      res.end(playground);
      return;
    }
    if (route !== "POST /v1/chat/completions" && route !== "GET /v1/models") {
      const known = path === "/v1/chat/completions" || path === "/v1/models";
      throw new ApiError(
        known ? 405 : 404,
        known
          ? `${req.method} is not allowed on ${path}.`
          : `Unknown route ${req.method} ${path || "/"}: this server offers POST /v1/chat/completions and GET /v1/models` +
              (playground !== null
                ? ", and its playground at GET /."
                : path === ""
                  ? " (the playground page at / is served with tpo serve --ui)."
                  : "."),
        "invalid_request_error",
        null,
        known ? "method_not_allowed" : "unknown_url",
      );
    }
    if (closing) {
      res.setHeader("connection", "close");
      throw new ApiError(503, `${SHUTDOWN_MESSAGE}; retry against another instance.`, "server_error");
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

  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      // How often Node checks the two timeouts above (its default, 30 s, would let a slow client stay that long).
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) sendError(res, toApiError(error));
      });
    },
  );
  server.maxConnections = maxConnections;
  const url = await listenOn(server, options.port, host);

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
    for (const run of runs) run.controller.abort(new Error(SHUTDOWN_MESSAGE));
    await inFlight();
    server.closeAllConnections();
    await stopped;
  }

  return {
    url,
    activeRuns: () => runs.size,
    close: ({ graceMs = 10_000 } = {}) => (closed ??= shutdown(graceMs)),
  };
}
