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
