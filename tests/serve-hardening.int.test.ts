import { request as httpRequest, createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { killChildren, startCli, waitUntil } from "./helpers/cli.js";

/**
 * `tpo serve` as a hostile web page, a slow client and a careless operator would meet it: every
 * test here talks to the real command over HTTP on 127.0.0.1.
 */

const QUESTION = "How do I take care of a wooden table?";
const opened: Socket[] = [];
const upstreams: Server[] = [];

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.destroy();
  killChildren();
  await Promise.all(upstreams.splice(0).map((s) => new Promise((r) => s.close(r))));
});

interface Served {
  url: string;
  port: number;
  output: () => string;
}

async function serve(args: string[] = [], env: Record<string, string | undefined> = {}): Promise<Served> {
  const cli = startCli(["serve", "--port", "0", ...args], { env });
  let url: string | undefined;
  await waitUntil(
    () => {
      url = /listening on (http:\/\/[^\s]+) /.exec(cli.output())?.[1];
      return url !== undefined || cli.child.exitCode !== null;
    },
    30_000,
    "tpo serve to listen",
  );
  if (!url) throw new Error(`tpo serve did not start:\n${cli.output()}`);
  return { url, port: Number(new URL(url).port), output: cli.output };
}

const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    messages: [{ role: "user", content: QUESTION }],
    tpo: { width: 2, depth: 1 },
    ...extra,
  });

/** A raw request, so that Host and Origin are what the test says (fetch would set its own Host). */
function raw(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? "POST",
        path: options.path ?? "/v1/chat/completions",
        headers: options.headers,
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 30 s")));
    req.on("error", reject);
    req.end(options.body);
  });
}

function errorOf(text: string): { message: string; param: string | null; code: string | null; type: string } {
  return (
    JSON.parse(text) as {
      error: { message: string; param: string | null; code: string | null; type: string };
    }
  ).error;
}

/** A socket to the server and a promise of how long it stayed open, bounded by `boundMs`. */
function openSocket(port: number, boundMs = 15_000) {
  const socket = connect(port, "127.0.0.1");
  opened.push(socket);
  const started = Date.now();
  let received = "";
  socket.setEncoding("utf8").on("data", (d: string) => (received += d));
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) => {
    const timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), boundMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
  return { socket, closed, received: () => received };
}

describe("tpo serve against a web page", () => {
  it("refuses a text/plain POST, a foreign Origin and a foreign Host, and answers CORS only for --cors-origin", async () => {
    const { url } = await serve(["--cors-origin", "http://app.example"]);
    const json = { "content-type": "application/json" };

    // A CORS "simple request": text/plain needs no preflight, so the browser would send it as is.
    const plain = await raw(url, {
      headers: { "content-type": "text/plain", origin: "http://evil.example" },
      body: body(),
    });
    expect(plain.status).toBe(403);
    const plainLocal = await raw(url, { headers: { "content-type": "text/plain" }, body: body() });
    expect(plainLocal.status).toBe(415);
    expect(errorOf(plainLocal.text).message).toMatch(/application\/json/);
    const none = await raw(url, { headers: {}, body: body() });
    expect(none.status).toBe(415);

    const foreign = await raw(url, { headers: { ...json, origin: "http://evil.example" }, body: body() });
    expect(foreign.status).toBe(403);
    expect(errorOf(foreign.text).message).toMatch(/Origin http:\/\/evil\.example.*--cors-origin/);
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await raw(url, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();

    // DNS rebinding: the page's own name resolves to 127.0.0.1, and the browser sends it as Host.
    const rebound = await raw(url, {
      headers: { ...json, host: `evil.example:${new URL(url).port}` },
      body: body(),
    });
    expect(rebound.status).toBe(403);
    expect(errorOf(rebound.text).message).toMatch(/Host evil\.example.*--allowed-hosts/);
    const models = await raw(url, { method: "GET", path: "/v1/models", headers: { host: "evil.example" } });
    expect(models.status).toBe(403);
    const localhost = await raw(url, {
      method: "GET",
      path: "/v1/models",
      headers: { host: `localhost:${new URL(url).port}` },
    });
    expect(localhost.status).toBe(200);

    // The allowed origin: a preflight, then a run whose answer the page may read.
    const allowedPreflight = await raw(url, {
      method: "OPTIONS",
      headers: {
        origin: "http://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(allowedPreflight.status).toBe(204);
    expect(allowedPreflight.headers["access-control-allow-origin"]).toBe("http://app.example");
    expect(String(allowedPreflight.headers["access-control-allow-headers"])).toMatch(/authorization/i);
    const allowed = await raw(url, { headers: { ...json, origin: "http://app.example" }, body: body() });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe("http://app.example");
  });
});

describe("tpo serve and what a client may spend", () => {
  it("uses its configured model, refuses others unless listed with --models, and caps width, depth and tokens", async () => {
    const { url } = await serve(["--models", "tpo-big", "--max-width", "3"]);
    const post = (extra: Record<string, unknown>) =>
      raw(url, { headers: { "content-type": "application/json" }, body: body(extra) });

    expect((await post({})).status).toBe(200);
    expect((await post({ model: "tpo-sim" })).status).toBe(200);
    expect((await post({ model: "tpo-big" })).status).toBe(200);
    expect((await post({ model: "tpo" })).status).toBe(200); // an alias of the configured model
    const other = await post({ model: "gpt-4o" });
    expect(other.status).toBe(400);
    expect(errorOf(other.text)).toMatchObject({ param: "model", code: "model_not_found" });
    expect(errorOf(other.text).message).toMatch(/tpo-sim, tpo-big.*--models/);
    const listed = await raw(url, { method: "GET", path: "/v1/models" });
    expect((JSON.parse(listed.text) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual([
      "tpo-sim",
      "tpo-big",
      "tpo",
    ]);

    const wide = await post({ tpo: { width: 4 } });
    expect(wide.status).toBe(400);
    expect(errorOf(wide.text)).toMatchObject({ param: "tpo.width" });
    expect(errorOf(wide.text).message).toMatch(/at most 3.*--max-width/);
    // Over the cap and over the schema's own maximum (64): the cap is what the client is told.
    const wider = await post({ tpo: { width: 100 } });
    expect(wider.status).toBe(400);
    expect(errorOf(wider.text).message).toMatch(
      /width 100 is more than this server allows: at most 3 \(tpo serve --max-width\)/,
    );
    const deep = await post({ tpo: { depth: 6 } });
    expect(deep.status).toBe(400);
    expect(errorOf(deep.text)).toMatchObject({ param: "tpo.depth" });
    expect(errorOf(deep.text).message).toMatch(/at most 5.*--max-depth/);
    const long = await post({ max_tokens: 100_000 });
    expect(long.status).toBe(400);
    expect(errorOf(long.text)).toMatchObject({ param: "max_tokens" });
    expect(errorOf(long.text).message).toMatch(/at most 4096.*--max-tokens/);
    const critic = await post({ tpo: { criticMaxTokens: 5000 } });
    expect(critic.status).toBe(400);
    expect(errorOf(critic.text)).toMatchObject({ param: "tpo.criticMaxTokens" });
  });

  it("refuses functions, tool_choice and response_format with a 400 naming what is unsupported", async () => {
    const { url } = await serve();
    for (const [field, value] of [
      ["functions", [{ name: "f", parameters: {} }]],
      ["function_call", "auto"],
      ["tool_choice", "auto"],
      ["response_format", { type: "json_object" }],
      ["logprobs", true],
    ] as const) {
      const answer = await raw(url, {
        headers: { "content-type": "application/json" },
        body: body({ [field]: value }),
      });
      expect(answer.status, field).toBe(400);
      expect(errorOf(answer.text).param).toBe(field);
      expect(errorOf(answer.text).message).toMatch(/not supported|TPO/);
    }
    // What clients send by default, set to "nothing", is fine.
    const defaults = await raw(url, {
      headers: { "content-type": "application/json" },
      body: body({ tool_choice: null, response_format: { type: "text" }, logprobs: false }),
    });
    expect(defaults.status).toBe(200);
  });
});

describe("tpo serve flags", () => {
  it.each([
    [["--grace", "-1"], /--grace/],
    [["--port", "http"], /--port/],
    [["--port", "70000"], /--port/],
    [["--max-concurrent-runs", "0"], /--max-concurrent-runs/],
    [["--max-width", "0"], /--max-width/],
    [["--max-width", "65"], /--max-width/],
    [["--max-depth", "x"], /--max-depth/],
    [["--max-tokens", "1.5"], /--max-tokens/],
    [["--max-connections", "0"], /--max-connections/],
    [["--request-timeout", "0"], /--request-timeout/],
    [["--cors-origin", "not a url"], /--cors-origin/],
  ])("%j is a usage error before listening (exit 2)", async (args, pattern) => {
    // The last --port wins, so ["--port", "http"] replaces the free port.
    const cli = startCli(["serve", "--port", "0", ...args], { timeoutMs: 20_000 });
    const result = await cli.done;
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stdout).not.toMatch(/listening/);
  });
});

describe("tpo serve and slow clients", () => {
  it("closes a connection whose headers or body trickle, past --request-timeout", async () => {
    const { port } = await serve(["--request-timeout", "1"]);
    const headers = openSocket(port);
    headers.socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const trickle = setInterval(() => headers.socket.write("x-slow: 1\r\n"), 200);
    const bodySocket = openSocket(port);
    bodySocket.socket.write(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    );
    const bodyTrickle = setInterval(() => bodySocket.socket.write(" "), 200);
    try {
      expect(await headers.closed).toBeLessThan(10_000);
      expect(await bodySocket.closed).toBeLessThan(10_000);
    } finally {
      clearInterval(trickle);
      clearInterval(bodyTrickle);
    }
  });

  it("answers 401 and closes at once, without waiting for the body of an unauthenticated request", async () => {
    const { port } = await serve([], { TPO_SERVER_API_KEY: "k" });
    const client = openSocket(port);
    client.socket.write(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
    );
    expect(await client.closed).toBeLessThan(5_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 401/);
  });

  it("caps open connections with --max-connections", async () => {
    const { port, url } = await serve(["--max-connections", "2"]);
    const first = openSocket(port);
    const second = openSocket(port);
    await waitUntil(() => first.socket.readyState === "open" && second.socket.readyState === "open", 10_000);
    const third = openSocket(port);
    expect(await third.closed).toBeLessThan(5_000);
    first.socket.destroy();
    second.socket.destroy();
    await waitUntil(() => first.socket.destroyed && second.socket.destroyed, 5_000);
    // Room again once they are gone.
    let status = 0;
    await waitUntil(
      () => {
        void fetch(`${url}/v1/models`)
          .then((r) => (status = r.status))
          .catch(() => {});
        return status === 200;
      },
      10_000,
      "a free connection",
    );
  });
});

describe("tpo serve and a failing upstream", () => {
  it("answers 502 naming the step and status, without the upstream's address or body, which go to its log", async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "db at 10.1.2.3:5432 refused: SECRET-STACK" } }));
    });
    upstreams.push(upstream);
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const { url, output } = await serve([], {
      TPO_BACKEND: "openai",
      OPENAI_BASE_URL: `http://tpo-user:hunter2@127.0.0.1:${upstreamPort}/v1`,
      TPO_MODEL: "m",
      TPO_MAX_RETRIES: "0",
    });
    for (const stream of [false, true]) {
      const answer = await raw(url, {
        headers: { "content-type": "application/json" },
        body: body({ stream }),
      });
      const text = answer.text;
      expect(stream ? text : answer.status).toEqual(stream ? expect.stringContaining("data: ") : 502);
      const message = stream
        ? (JSON.parse(/data: (.*)/.exec(text)![1]) as { error: { message: string } }).error.message
        : errorOf(text).message;
      expect(message).toMatch(/generate step/);
      expect(message).toMatch(/HTTP 500/);
      for (const secret of [String(upstreamPort), "10.1.2.3", "SECRET-STACK", "hunter2", "tpo-user"]) {
        expect(message).not.toContain(secret);
      }
    }
    await waitUntil(() => output().includes("SECRET-STACK"), 10_000, "the upstream body in the log");
    expect(output()).not.toContain("hunter2");
  });
});
