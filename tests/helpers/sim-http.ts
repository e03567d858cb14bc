import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startSimServer, type SimServer, type SimServerOptions } from "../../src/sim/server.js";

/**
 * One simulated server for the tests of a file, on a free port of 127.0.0.1: started before the
 * first test, closed after the last, and after each test back to its options' faults and latency,
 * with no requests counted. Read `.server` inside a test or hook, not at the file's top level.
 */
export function useSimServer(options: SimServerOptions = {}): { readonly server: SimServer } {
  let server: SimServer | undefined;
  beforeAll(async () => {
    server = await startSimServer({ port: 0, host: "127.0.0.1", ...options });
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    server?.setFaults(options.faults ?? []);
    server?.setLatency(options.latency ?? {});
    server?.stats.reset();
  });
  return {
    get server(): SimServer {
      if (!server) throw new Error("useSimServer's server is there inside tests and hooks only.");
      return server;
    },
  };
}

/**
 * The environment that points the CLI at a simulated server over HTTP, as a user points it at real
 * servers: the policy over OpenAI's API (model "tpo-sim"), a vLLM pooling reward server.
 */
export function simServerEnv(
  server: SimServer,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    TPO_BACKEND: undefined,
    OPENAI_BASE_URL: `${server.url}/v1`,
    TPO_MODEL: "tpo-sim",
    TPO_REWARD_URL: server.url,
    TPO_REWARD_KIND: "vllm-pooling",
    ...overrides,
  };
}

/**
 * Whether a request's body mentions `text` (in a string of it, so JSON-escaped there): a fault's
 * `when` that picks the requests of one query.
 */
export function mentions(text: string): (request: { body: unknown }) => boolean {
  const escaped = JSON.stringify(text).slice(1, -1);
  return (request) => JSON.stringify(request.body ?? null).includes(escaped);
}

/**
 * A batch input of two queries, "ok" and "bad", in `dir`, and the fault that makes the simulated
 * server refuse every request of "bad" (a 400): one query that fails, one that finishes.
 */
export function oneFailingQuery(server: SimServer, dir: string): string {
  server.setFaults([{ kind: "status", status: 400, message: "bad request", when: mentions("FAILME") }]);
  const input = join(dir, "queries.jsonl");
  writeFileSync(
    input,
    [
      JSON.stringify({ id: "ok", prompt: "How do I brew green tea?" }),
      JSON.stringify({ id: "bad", prompt: "FAILME please" }),
    ].join("\n"),
  );
  return input;
}
