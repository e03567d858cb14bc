/**
 * The simulated world over HTTP: an OpenAI-, vLLM-, SGLang-, TEI- and NIM-compatible server on
 * 127.0.0.1, with latency and fault injection, that records what clients sent.
 */
import { SimPrefixCache } from "./prefix-cache.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  handleChat,
  handleClassify,
  handleModels,
  handlePooling,
  handlePredict,
  openAIError,
  type HandlerContext,
  type HandlerResult,
} from "./handlers.js";
import { readRequestBody } from "../http/request-body.js";

/** What a fault does to a request it matches. */
export type SimFault =
  /** Answer with this status (and a Retry-After header in seconds, when given). */
  | { kind: "status"; status: number; retryAfter?: number; message?: string }
  /** Wait this long before answering: past the client's timeout, say. */
  | { kind: "delay"; ms: number }
  /**
   * Answer 200 with a body that is not valid JSON: a chat completion cut short, or with `html` a
   * proxy's HTML page (served as text/html).
   */
  | { kind: "malformed"; html?: boolean }
  /** Answer a chat completion with `choices: []`. */
  | { kind: "empty-choices" }
  /** Answer a chat completion with one choice whatever `n` asks. */
  | { kind: "ignore-n" }
  /**
   * Answer a chat completion with this text in every choice (an update without its tags, say); a
   * judge's structured-output request gets it as its verdict (a verdict that does not parse, say).
   */
  | { kind: "reply"; content: string }
  /** Answer chat completions with `logprobs: null` whatever they ask, as a server without log-probabilities. */
  | { kind: "no-logprobs" };

export interface SimRequest {
  method: string;
  path: string;
  /** The parsed JSON body; undefined for GET or a body that is not JSON. */
  body: unknown;
  /** Status of the answer (unset while pending, or when the connection closed first). */
  status?: number;
  /** The latency added to this request (fixed plus per output token), faults' delays apart. */
  delayMs?: number;
  /** Its headers, names in lower case (several values of one name joined by ", "). */
  headers?: Record<string, string>;
  /** When the request arrived and when its answer was written (ms since the epoch, sub-millisecond). */
  arrivedAt?: number;
  /** When it left the server's queue and began to be served (with `maxInFlight`; else on arrival). */
  startedAt?: number;
  finishedAt?: number;
}

export type SimFaultRule = SimFault & {
  /** The path it applies to (default "/v1/chat/completions"); "*" for every path. */
  path?: string;
  /** How many matching requests it affects; default: every one until the faults change. */
  times?: number;
  /** Only requests for which this is true. */
  when?: (request: SimRequest) => boolean;
};

export interface SimLatency {
  /** Milliseconds added to every request. */
  fixedMs?: number;
  /** Milliseconds added per output token of a chat completion. */
  perTokenMs?: number;
}

export interface SimServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed of the reward noise and of chat requests without a seed. */
  seed?: number;
  latency?: SimLatency;
  faults?: SimFaultRule[];
  /** Answer every chat completion with one choice, as Ollama does. */
  ignoreN?: boolean;
  /** /pooling returns one row per token (as vLLM does for a token-level reward model), the last row scoring the sequence. */
  poolingPerToken?: boolean;
  /**
   * Values per item (or per token row) of vLLM's /pooling and /classify (default 1): label 0 is
   * the reward and label i > 0 a distractor (-i·score), as a classifier with several classes answers.
   */
  labels?: number;
  /** Listed by GET /v1/models. */
  models?: string[];
  /**
   * Model a prefix cache, as vLLM's and SGLang's automatic prefix caching: each chat completion
   * reports, in usage.prompt_tokens_details.cached_tokens, the prompt tokens of the longest prefix
   * an earlier request shared (default true).
   */
  prefixCache?: boolean;
  /** Answers (first samples and rewrites) of about this many characters, as long as real ones. Unset: short answers. */
  answerChars?: number;
  /**
   * A capacity, as a GPU server has one: at most this many model requests (POSTs) are served at
   * once, each for its latency; the others wait in a queue, first come first served. GETs (models,
   * health) are answered at once. Unset: no limit.
   */
  maxInFlight?: number;
}

/** Requests per path and their parsed bodies, so tests can assert what clients sent. */
export class SimServerStats {
  requests: Record<string, number> = {};
  bodies: Record<string, unknown[]> = {};
  /** Every request in arrival order. */
  log: SimRequest[] = [];
  /** The most model requests that were being served at once. */
  peakInFlight = 0;

  record(request: SimRequest): void {
    this.requests[request.path] = (this.requests[request.path] ?? 0) + 1;
    (this.bodies[request.path] ??= []).push(request.body);
    this.log.push(request);
  }

  count(path: string): number {
    return this.requests[path] ?? 0;
  }

  reset(): void {
    this.requests = {};
    this.bodies = {};
    this.log = [];
    this.peakInFlight = 0;
  }
}

export interface SimServer {
  /** The server root, e.g. http://127.0.0.1:8000; OpenAI clients use `${url}/v1`. */
  url: string;
  port: number;
  stats: SimServerStats;
  /** Replaces the fault rules; counts of `times` start afresh. */
  setFaults(faults: SimFaultRule[]): void;
  setLatency(latency: SimLatency): void;
  /** Stops listening, ends open connections and pending delays. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

interface ActiveRule {
  rule: SimFaultRule;
  left: number;
}

export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  if (options.labels !== undefined && !(Number.isInteger(options.labels) && options.labels >= 1)) {
    throw new RangeError(`startSimServer: labels must be a positive integer, not ${options.labels}.`);
  }
  const capacity = options.maxInFlight ?? Infinity;
  if (!(capacity >= 1 && (capacity === Infinity || Number.isInteger(capacity)))) {
    throw new RangeError(
      `startSimServer: maxInFlight must be a positive integer, not ${options.maxInFlight}.`,
    );
  }
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 0;
  const models = options.models ?? ["tpo-sim", "tpo-sim-reward"];
  const stats = new SimServerStats();
  const prefixCache = options.prefixCache === false ? undefined : new SimPrefixCache();
  let latency: SimLatency = { ...options.latency };
  let rules: ActiveRule[] = [];
  let unseeded = 0;
  let closed = false;
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  // The capacity: requests being served, and those waiting for a place, in order.
  let serving = 0;
  const queue: (() => void)[] = [];
  const takePlace = (): Promise<void> => {
    if (serving < capacity || closed) {
      serving++;
      return Promise.resolve();
    }
    return new Promise((resolve) => queue.push(resolve));
  };
  const leavePlace = () => {
    const next = queue.shift();
    if (next) next();
    else serving--;
  };

  const setFaults = (faults: SimFaultRule[]) => {
    rules = faults.map((rule) => ({ rule, left: rule.times ?? Infinity }));
  };
  setFaults(options.faults ?? []);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || closed) return resolve();
      const sleeper = {
        timer: setTimeout(() => {
          sleepers.delete(sleeper);
          resolve();
        }, ms),
        resolve,
      };
      sleepers.add(sleeper);
    });

  /** The faults this request triggers; each one it triggers counts against its `times`. */
  const faultsFor = (request: SimRequest): SimFault[] => {
    const hits: SimFault[] = [];
    for (const active of rules) {
      const { rule } = active;
      const path = rule.path ?? "/v1/chat/completions";
      if (active.left <= 0 || (path !== "*" && path !== request.path)) continue;
      if (rule.when && !rule.when(request)) continue;
      active.left--;
      hits.push(rule);
    }
    return hits;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const route = (request: SimRequest, ctx: HandlerContext): HandlerResult => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (request.method === "GET" && (request.path === "/v1/models" || request.path === "/models")) {
      return handleModels(models);
    }
    if (request.method === "GET" && request.path === "/health") return { status: 200, body: {} };
    if (request.method !== "POST") return openAIError(404, `no route ${request.method} ${request.path}`);
    if (request.body === undefined) return openAIError(400, "the request body is not valid JSON");
    switch (request.path) {
      case "/v1/chat/completions":
      case "/chat/completions":
        return handleChat(body, ctx);
      case "/pooling":
      case "/v1/pooling":
        return handlePooling(body, ctx);
      case "/classify":
      case "/v1/classify":
        return handleClassify(body, ctx);
      case "/predict":
        return handlePredict(body, ctx);
      default:
        return openAIError(404, `no route POST ${request.path}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = performance.timeOrigin + performance.now();
    const path = new URL(req.url ?? "/", "http://sim").pathname;
    const raw = req.method === "POST" ? (await readRequestBody(req, MAX_BODY_BYTES)).toString("utf8") : "";
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const request: SimRequest = {
      method: req.method ?? "GET",
      path,
      body,
      headers: headersOf(req),
      arrivedAt,
    };
    res.once("finish", () => (request.finishedAt = performance.timeOrigin + performance.now()));
    stats.record(request);
    if (request.method !== "POST") return serve(request, res);
    await takePlace();
    try {
      stats.peakInFlight = Math.max(stats.peakInFlight, serving);
      await serve(request, res);
    } finally {
      leavePlace();
    }
  };

  const serve = async (request: SimRequest, res: ServerResponse) => {
    request.startedAt = performance.timeOrigin + performance.now();
    const faults = faultsFor(request);
    for (const fault of faults) if (fault.kind === "delay") await sleep(fault.ms);
    if (closed) return;
    const status = faults.find((f) => f.kind === "status");
    if (status) {
      const headers: Record<string, string> =
        status.retryAfter === undefined ? {} : { "retry-after": String(status.retryAfter) };
      request.delayMs = latency.fixedMs ?? 0;
      await sleep(request.delayMs);
      request.status = status.status;
      const message = status.message ?? `simulated fault: status ${status.status}`;
      return send(
        res,
        status.status,
        { error: { message, type: "sim_fault", code: status.status } },
        headers,
      );
    }
    const ctx: HandlerContext = {
      seed,
      nextUnseeded: () => seed * 1_000_003 + unseeded++ * 1009,
      ignoreN: (options.ignoreN ?? false) || faults.some((f) => f.kind === "ignore-n"),
      emptyChoices: faults.some((f) => f.kind === "empty-choices"),
      reply: faults.find((f) => f.kind === "reply")?.content,
      noLogprobs: faults.some((f) => f.kind === "no-logprobs"),
      poolingPerToken: options.poolingPerToken ?? false,
      labels: options.labels ?? 1,
      prefixCache,
      answerChars: options.answerChars,
    };
    const result = route(request, ctx);
    request.delayMs = (latency.fixedMs ?? 0) + (latency.perTokenMs ?? 0) * (result.outputTokens ?? 0);
    await sleep(request.delayMs);
    if (closed || res.destroyed) return;
    request.status = result.status;
    const malformed = faults.find((f) => f.kind === "malformed");
    if (malformed) {
      request.status = 200;
      if (malformed.html) {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html><body><h1>Welcome to nginx!</h1></body></html>");
      }
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('{"id": "sim-malformed", "choices": [{"index": 0, "message": ');
    }
    if (result.events) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (const event of result.events) res.write(`data: ${JSON.stringify(event)}\n\n`);
      return res.end("data: [DONE]\n\n");
    }
    send(res, result.status, result.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { error: { message: String(error), type: "sim_error" } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats,
    setFaults,
    setLatency: (next) => {
      latency = { ...next };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const waiting of queue.splice(0)) waiting();
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.resolve();
      }
      sleepers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}
