import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SimServer } from "../../src/sim/server.js";

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

/** Whether a request's body mentions `text`: a fault's `when` that picks the requests of one query. */
export function mentions(text: string): (request: { body: unknown }) => boolean {
  return (request) => JSON.stringify(request.body ?? null).includes(text);
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
