import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: unknown;
}

export interface StubReply {
  status?: number;
  /** Sent as JSON; `raw` wins when both are given. */
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** `index` counts requests from 0; the handler may wait before it answers. */
export type StubHandler = (request: StubRequest, index: number) => StubReply | Promise<StubReply>;

export interface Stub {
  url: string;
  requests: StubRequest[];
  /** Most requests in flight at the same time. */
  maxInFlight: () => number;
  inFlight: () => number;
  close: () => Promise<void>;
}

/** A reward server stand-in on 127.0.0.1 with a free port, recording every request it gets. */
export async function startStub(handler: StubHandler): Promise<Stub> {
  const requests: StubRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      const index = requests.push(request) - 1;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      Promise.resolve()
        .then(() => handler(request, index))
        .then(
          (reply) => {
            inFlight--;
            if (res.destroyed) return;
            const payload = reply.raw ?? JSON.stringify(reply.json ?? null);
            res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
            res.end(payload);
          },
          (error: unknown) => {
            inFlight--;
            if (!res.destroyed) res.writeHead(500).end(String(error));
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Holds each request until `size` are waiting (or `total` have arrived in all), then lets them all
 * go: a client that sends fewer than `size` at once would stall, one that sends more shows it in
 * maxInFlight. No timing involved.
 */
export function barrier(size: number, total: number) {
  let waiting: (() => void)[] = [];
  let arrived = 0;
  return async () => {
    arrived++;
    const released = new Promise<void>((resolve) => waiting.push(resolve));
    if (waiting.length >= size || arrived >= total) {
      const go = waiting;
      waiting = [];
      go.forEach((resolve) => resolve());
    }
    await released;
  };
}
