import { createHash } from "node:crypto";
import type { RunnableConfig } from "@langchain/core/runnables";

/**
 * The metadata key under which a model call's config carries its query's routing key (the TPO
 * nodes set it, see src/nodes/stage-config.ts): every request of one query carries the same key.
 */
export const ROUTING_KEY_METADATA = "tpo_routing_key";

/** The routing key of a query: a hash, so that neither a thread id nor a prompt leaves the process. */
export function routingKeyFor(source: string): string {
  return `tpo-${createHash("sha256").update(source).digest("hex").slice(0, 32)}`;
}

/** The routing key a model call's config carries, if any. */
export function routingKeyOf(config: RunnableConfig | undefined): string | undefined {
  const key = config?.metadata?.[ROUTING_KEY_METADATA];
  return typeof key === "string" && key !== "" ? key : undefined;
}

/** The routing header a pool of our own reads a request's key from (see routingHeaders). */
export const ROUTING_KEY_HEADER = "x-session-id";

/**
 * The headers that keep one query on one replica behind routers we do not own: vLLM's router
 * (`X-Session-ID`), SGLang's model gateway (`X-SMG-Routing-Key`) and LiteLLM (`x-litellm-session-id`).
 */
export function routingHeaders(key: string): Record<string, string> {
  return { [ROUTING_KEY_HEADER]: key, "x-smg-routing-key": key, "x-litellm-session-id": key };
}

/** OpenAI's own API, which takes the key as the `prompt_cache_key` field of the request. */
export function isOpenAIApi(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === "api.openai.com";
  } catch {
    return false;
  }
}
