import type { BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { scoreChecked, type RewardItem, type RewardModel } from "./reward-model.js";

/** A store of scores by key (src/cache/ makes one); a lookup that fails is a miss, never an error. */
export interface ScoreStore {
  lookupScores(keys: string[]): Promise<(number | undefined)[]>;
  updateScores(entries: [key: string, score: number][]): Promise<void>;
}

/** Where the scores of one reward model are kept: a score depends on the model, the conversation and the response only. */
export interface ScoreCache {
  store: ScoreStore;
  /** What identifies the reward model: its server, kind, name and template, as the caller knows them. */
  model: string;
}

export function scoreKey(cache: ScoreCache, messages: BaseMessage[], response: string): string {
  return JSON.stringify({
    reward: cache.model,
    messages: messages.map((m) => [m.getType(), m.content]),
    response,
  });
}

/** Scores of each store being computed, by key: a second caller of the same score waits for the first. */
const inFlight = new WeakMap<object, Map<string, Promise<number>>>();

/**
 * The scores of `items`: from the cache where it has them (or an identical request of this
 * process is under way), from the reward model for the rest, in one call, then stored.
 * `scored` is how many items the reward model was asked about.
 */
export async function scoreWithCache(
  model: RewardModel,
  cache: ScoreCache | undefined,
  items: RewardItem[],
  config?: RunnableConfig,
): Promise<{ scores: number[]; scored: number }> {
  if (!cache) return { scores: await scoreChecked(model, items, config), scored: items.length };
  const pending = inFlight.get(cache.store) ?? new Map<string, Promise<number>>();
  inFlight.set(cache.store, pending);
  const keys = items.map((item) => scoreKey(cache, item.messages, item.response));
  const found = await cache.store.lookupScores(keys);
  // From here to pending.set nothing awaits: no other caller can start the same keys meanwhile.
  const missing = [...new Set(keys.filter((key, i) => found[i] === undefined && !pending.has(key)))];
  if (missing.length > 0) {
    const missingItems = missing.map((key) => items[keys.indexOf(key)]);
    const computed = scoreChecked(model, missingItems, config).then(async (scores) => {
      await cache.store.updateScores(missing.map((key, i) => [key, scores[i]]));
      return scores;
    });
    missing.forEach((key, i) =>
      pending.set(
        key,
        computed.then((scores) => scores[i]),
      ),
    );
  }
  try {
    const scores = await Promise.all(keys.map((key, i) => found[i] ?? pending.get(key)!));
    return { scores, scored: missing.length };
  } finally {
    for (const key of missing) pending.delete(key);
  }
}
