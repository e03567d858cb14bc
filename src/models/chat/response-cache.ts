import type { BaseCache } from "@langchain/core/caches";
import type { BaseMessage } from "@langchain/core/messages";
import type { RequestUsage, SamplingCallOptions } from "./sample-responses.js";

/** What a fully determined request returned: its choices in order, and what it cost when it was sent. */
export interface CachedResponse {
  texts: string[];
  usage: Pick<RequestUsage, "promptTokens" | "cachedPromptTokens" | "completionTokens">;
}

/**
 * Where the sampler keeps and finds the responses of one model (src/cache/ makes one). The store
 * has LangChain's cache interface, but the sampler calls it with keys of its own rather than
 * setting it as the model's `cache`: LangChain's key has no notion of a determined request (it
 * would reuse an unseeded sample), holds the client's settings (an API key) and the per-query
 * routing key (so bon and tpo would never share their first samples), and a hit comes back with
 * its token counts zeroed, which would change the records that the budgets and reports read.
 */
export interface ResponseCache {
  store: BaseCache<CachedResponse>;
  /** What identifies the model: its server(s) and name, as the caller knows them. */
  model: string;
}

/**
 * The key of a request, or undefined when the request is not fully determined: without a seed a
 * server samples afresh each time, so its answer is never reused. The seed of sample i (sample
 * index) is part of the options, and so is `n`: choice i of an n-request is not sample i of n=1
 * requests.
 */
export function requestKey(
  cache: ResponseCache,
  messages: BaseMessage[],
  options: SamplingCallOptions,
): { prompt: string; llmKey: string } | undefined {
  if (options.seed === undefined) return undefined;
  const { temperature, topP, maxTokens, seed, n, stop } = options;
  return {
    prompt: JSON.stringify(messages.map((m) => [m.getType(), m.content])),
    llmKey: JSON.stringify({ model: cache.model, temperature, topP, maxTokens, seed, n: n ?? 1, stop }),
  };
}

/** Requests of each store in flight, by key: a second identical request waits for the first. */
const inFlight = new WeakMap<object, Map<string, Promise<CachedResponse>>>();

/**
 * The cached response of a determined request, or `send`'s, stored for next time. `cached` says
 * whether it came from the store (or from an identical request of this process in flight).
 */
export async function cachedRequest(
  cache: ResponseCache | undefined,
  messages: BaseMessage[],
  options: SamplingCallOptions,
  send: () => Promise<CachedResponse>,
): Promise<CachedResponse & { cached: boolean }> {
  const key = cache && requestKey(cache, messages, options);
  if (!cache || !key) return { ...(await send()), cached: false };
  const pending = inFlight.get(cache.store) ?? new Map<string, Promise<CachedResponse>>();
  inFlight.set(cache.store, pending);
  const id = `${key.llmKey}\u0000${key.prompt}`;
  const running = pending.get(id);
  if (running) return { ...(await running), cached: true };
  let sent = false;
  const work = (async () => {
    const found = await cache.store.lookup(key.prompt, key.llmKey);
    if (found) return found;
    sent = true;
    const response = await send();
    await cache.store.update(key.prompt, key.llmKey, response);
    return response;
  })();
  pending.set(id, work);
  try {
    return { ...(await work), cached: !sent };
  } finally {
    pending.delete(id);
  }
}
