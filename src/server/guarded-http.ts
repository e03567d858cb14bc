import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { requireBearerToken } from "./auth.js";
import { browserGuard, guardBrowser, requireJson } from "./guard.js";
import { ApiError, parseJson, readBody, sendError } from "./http-io.js";

export interface GuardedHttpOptions {
  port: number;
  host?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Host names accepted in `Host` besides loopback names and the bound address (against DNS rebinding). */
  allowedHosts?: string[];
  /** The one path served, e.g. "/mcp". */
  path: string;
  methods: string[];
  /** The command whose flags the refusals name (default "tpo mcp"). */
  command?: string;
  /** Largest request body; default 1 MiB. */
  maxBodyBytes?: number;
  /** Open connections at most; default 64. */
  maxConnections?: number;
  /** Answers a checked request; `body` is a POST's parsed JSON (undefined for other methods). */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Told about an error the handler threw. */
  onError?: (error: unknown) => void;
}

export interface GuardedHttpServer {
  url: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** A refusal of the guard, naming this command's flag rather than `tpo serve`'s. */
function renamed(error: unknown, command: string): unknown {
  if (!(error instanceof ApiError) || command === "tpo serve") return error;
  return new ApiError(
    error.status,
    error.message.replaceAll("tpo serve", command),
    error.type,
    error.param,
    error.code,
    error.headers,
  );
}

/**
 * A node:http server for one endpoint with the checks of `tpo serve`: the Host header names this
 * server and no web page's Origin is accepted (DNS rebinding, cross-site requests), the bearer
 * token when one is set, JSON bodies of bounded size, a cap on connections and slow clients.
 */
export async function startGuardedHttpServer(options: GuardedHttpOptions): Promise<GuardedHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const command = options.command ?? "tpo mcp";
  const guard = browserGuard(host, options.allowedHosts, []);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    guardBrowser(req, res, guard); // no origin is allowed, so there is no preflight to answer
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
    if (path !== options.path) {
      throw new ApiError(404, `Unknown path ${path}: this server answers on ${options.path}.`);
    }
    if (!options.methods.includes(req.method ?? "")) {
      throw new ApiError(
        405,
        `${req.method} is not allowed on ${path}.`,
        "invalid_request_error",
        null,
        null,
        {
          allow: options.methods.join(", "),
        },
      );
    }
    requireBearerToken(req, options.apiKey);
    let body: unknown;
    if (req.method === "POST") {
      requireJson(req);
      body = parseJson(await readBody(req, maxBodyBytes));
    }
    await options.handle(req, res, body);
  }

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!(error instanceof ApiError)) options.onError?.(error);
      if (res.headersSent || res.destroyed) return;
      const answer =
        error instanceof ApiError
          ? (renamed(error, command) as ApiError)
          : new ApiError(500, "The request failed; the server's log has the details.", "server_error");
      sendError(res, answer);
    });
  });
  server.maxConnections = options.maxConnections ?? 64;
  const url = await listenOn(server, options.port, host);
  return {
    url,
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** Starts `server` listening; its URL once it does (an IPv6 address in brackets), or the listen error (EADDRINUSE). */
export async function listenOn(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${urlHost}:${address.port}`;
}
