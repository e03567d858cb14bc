import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { McpSdk } from "./sdk.js";

export interface McpHttpSessionOptions {
  /** Sessions open at once; an initialize beyond them gets a 503. Default 32. */
  maxSessions?: number;
  /** A session without a request for this long is closed. Default 15 minutes. */
  idleMs?: number;
}

export interface McpHttpSessions {
  /** Answers one request to the MCP endpoint; `body` is the parsed JSON of a POST. */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Sessions open now. */
  count(): number;
  /** Closes every session; their calls in flight are aborted. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  timer?: NodeJS.Timeout;
}

function jsonRpcError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * MCP's streamable HTTP transport, with sessions: each client that initializes gets its own
 * server and transport, so that its notifications/cancelled reach the call it cancels.
 */
export function createMcpHttpSessions(
  sdk: McpSdk,
  newServer: () => Server,
  options: McpHttpSessionOptions = {},
): McpHttpSessions {
  const maxSessions = options.maxSessions ?? 32;
  const idleMs = options.idleMs ?? 15 * 60_000;
  const sessions = new Map<string, Session>();

  const touch = (id: string, session: Session) => {
    clearTimeout(session.timer);
    session.timer = setTimeout(() => void session.transport.close(), idleMs);
    session.timer.unref();
    sessions.set(id, session);
  };

  async function open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (sessions.size >= maxSessions) {
      jsonRpcError(res, 503, `This server holds its maximum of ${maxSessions} sessions; try again later.`);
      return;
    }
    const server = newServer();
    const session: Session = { server, transport: undefined as unknown as StreamableHTTPServerTransport };
    session.transport = new sdk.StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => touch(id, session),
    });
    session.transport.onclose = () => {
      clearTimeout(session.timer);
      if (session.transport.sessionId) sessions.delete(session.transport.sessionId);
    };
    await server.connect(session.transport);
    await session.transport.handleRequest(req, res, body);
  }

  return {
    async handle(req, res, body) {
      const header = req.headers["mcp-session-id"];
      const id = Array.isArray(header) ? header[0] : header;
      if (id === undefined) {
        if (req.method === "POST" && sdk.isInitializeRequest(body)) return open(req, res, body);
        jsonRpcError(res, 400, "No mcp-session-id header: start a session with an initialize request.");
        return;
      }
      const session = sessions.get(id);
      if (!session) {
        jsonRpcError(res, 404, "Unknown or expired session: initialize a new one.");
        return;
      }
      touch(id, session);
      await session.transport.handleRequest(req, res, body);
    },
    count: () => sessions.size,
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.server.close()));
      sessions.clear();
    },
  };
}
