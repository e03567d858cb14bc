import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { killChildren, runCli, startCli, waitUntil } from "./helpers/cli.js";
import { LangSmithCapture } from "./helpers/langsmith-capture.js";

const API_KEY = "lsv2_pt_fake_cli_0123456789abcdef_do_not_send";
const QUERY = ["run", "How do I take care of a wooden table?", "--width", "2", "--depth", "1"];

/** A port on 127.0.0.1 that nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `tpo serve` tracing to `endpoint`, once it listens, after it has answered one TPO request. */
async function serveOneRequest(endpoint: string) {
  const cli = startCli(["serve", "--port", "0"], {
    env: { LANGSMITH_TRACING: "true", LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: API_KEY },
  });
  let url: string | undefined;
  await waitUntil(
    () => (url = /listening on (http:\/\/[^\s]+) /.exec(cli.output())?.[1]) !== undefined,
    30_000,
    "tpo serve to listen",
  );
  const answer = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      messages: [{ role: "user", content: "How do I take care of a wooden table?" }],
      tpo: { width: 2, depth: 1 },
    }),
  });
  expect(answer.status).toBe(200);
  return cli;
}

let capture: LangSmithCapture | undefined;
let silent: Server | undefined;
const held: Socket[] = [];

afterEach(async () => {
  killChildren();
  await capture?.close();
  capture = undefined;
  for (const socket of held.splice(0)) socket.destroy();
  if (silent) await new Promise<void>((resolve) => silent!.close(() => resolve()));
  silent = undefined;
});

describe("tpo run with LangSmith tracing", () => {
  it("sends the traces before it exits when the endpoint answers, and warns of nothing", async () => {
    capture = new LangSmithCapture("multipart");
    const endpoint = await capture.start();
    const result = await runCli(QUERY, {
      env: { LANGSMITH_TRACING: "true", LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: API_KEY },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("LangSmith");
    expect([...capture.runs().values()].map((run) => run.name)).toContain("tpo");
  });

  it("exits with its answer and one warning naming the endpoint when connections are refused", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const started = Date.now();
    const result = await runCli(QUERY, {
      env: { LANGSMITH_TRACING: "true", LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: API_KEY },
    });
    // A hang guard only (LangSmith's own retries took 90 s): the benchmark measures the time.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).not.toBe("");
    const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
    expect(lines).toEqual([expect.stringContaining(`LangSmith traces not sent to ${endpoint}`)]);
  });

  it("gives up after its bound when the endpoint accepts connections and never answers", async () => {
    silent = createServer((socket) => void held.push(socket)); // holds every connection open, answers nothing
    await new Promise<void>((resolve) => silent!.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const result = await runCli(QUERY, {
      env: {
        LANGSMITH_TRACING: "true",
        LANGSMITH_ENDPOINT: endpoint,
        LANGSMITH_API_KEY: API_KEY,
        TPO_TRACE_FLUSH_MS: "500",
      },
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
    expect(lines).toEqual([expect.stringContaining(`LangSmith traces not sent to ${endpoint} (no answer`)]);
  });

  it("tpo serve sends the traces of its last request when it closes on SIGTERM", async () => {
    capture = new LangSmithCapture("multipart");
    const cli = await serveOneRequest(await capture.start());
    cli.child.kill("SIGTERM"); // at once: the traces of that request may still be queued
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("LangSmith");
    expect([...capture.runs().values()].map((run) => run.name)).toContain("tpo");
  });

  it("tpo serve closes at once on SIGTERM with one warning when LangSmith refuses connections", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const cli = await serveOneRequest(endpoint);
    const stopped = Date.now();
    cli.child.kill("SIGTERM");
    const result = await cli.done;
    // A hang guard only (LangSmith's own retries took 50 s and more): the benchmark measures time.
    expect(Date.now() - stopped).toBeLessThan(20_000);
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split("\n").filter((line) => line.includes("LangSmith"));
    expect(warnings).toEqual([expect.stringContaining(`LangSmith traces not sent to ${endpoint}`)]);
  });
});
