import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { nodeHttpFetch } from "../src/http/transport.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("nodeHttpFetch", () => {
  it("sends the method, headers and body, and answers like fetch", async () => {
    const url = await serve((req, body, res) => {
      res.writeHead(201, { "content-type": "application/json", "x-echo": String(req.headers["x-key"]) });
      res.end(JSON.stringify({ method: req.method, body, length: req.headers["content-length"] }));
    });
    const response = await nodeHttpFetch(`${url}/v1/x`, {
      method: "POST",
      headers: new Headers({ "x-key": "k", "content-type": "application/json" }),
      body: '{"é":1}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get("x-echo")).toBe("k");
    expect(await response.json()).toEqual({ method: "POST", body: '{"é":1}', length: "8" });
  });

  it("decodes a gzip body and gives a 204 no body", async () => {
    const url = await serve((req, _body, res) => {
      if (req.url === "/empty") {
        res.writeHead(204);
        return res.end();
      }
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "application/json" });
      res.end(gzipSync('{"ok":true}'));
    });
    expect(await (await nodeHttpFetch(`${url}/zip`)).json()).toEqual({ ok: true });
    const empty = await nodeHttpFetch(`${url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it("hands an event stream over as it arrives", async () => {
    const url = await serve((_req, _body, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n");
      setTimeout(() => res.end("data: [DONE]\n\n"), 50);
    });
    const response = await nodeHttpFetch(url);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: 1\n\n");
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe("data: [DONE]\n\n");
  });

  it("follows a redirect through the global fetch", async () => {
    const url = await serve((req, _body, res) => {
      if (req.url === "/old") {
        res.writeHead(307, { location: "/new" });
        return res.end();
      }
      res.end(`at ${req.url}`);
    });
    expect(await (await nodeHttpFetch(`${url}/old`)).text()).toBe("at /new");
  });

  it("rejects with the signal's reason on abort, and with a TypeError whose cause names a refused connection", async () => {
    const url = await serve(() => {
      // never answers
    });
    const controller = new AbortController();
    const pending = nodeHttpFetch(url, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(pending).rejects.toThrow("stop");
    await expect(nodeHttpFetch(url, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });

    const closed = await serve(() => undefined);
    servers.pop()!.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const error = await nodeHttpFetch(closed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
  });
});
