import type { BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { scoreChecked, type RewardItem, type RewardModel } from "./reward-model.js";

/** A store of scores by key (src/cache/ makes one); a lookup that fails is a miss, never an error. */
export interface ScoreStore {
  lookupScores(keys: string[]): Promise<(number | undefined)[]>;
  updateScores(entries: [key: string, score: number][]): Promise<void>;
  /**
   * For a store shared by several processes: takes these keys for this process to score, and
   * returns those it got; the others are being scored elsewhere. Without it, every key is ours.
   */
  claimScores?(keys: string[]): Promise<string[]>;
  /** The scores of keys claimed elsewhere, once written; undefined for those that did not come in time. */
  awaitScores?(keys: string[]): Promise<(number | undefined)[]>;
  /** Gives back claims (scored, or failed). */
  releaseScores?(keys: string[]): Promise<void>;
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
  let asked = 0;
  if (missing.length > 0) {
    const itemOf = (key: string) => items[keys.indexOf(key)];
    const computed = scoreMissing(model, cache.store, missing, itemOf, config).then((result) => {
      asked = result.asked;
      return result.scores;
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
    return { scores, scored: asked };
  } finally {
    for (const key of missing) pending.delete(key);
  }
}

/**
 * Scores the keys no one has: those this process claims (all, for a store of one process), in one
 * call; then those claimed elsewhere as they are written, and whatever did not come in time
 * (its process died, say) in a call of its own. `asked` is how many the reward model was asked.
 */
async function scoreMissing(
  model: RewardModel,
  store: ScoreStore,
  missing: string[],
  itemOf: (key: string) => RewardItem,
  config: RunnableConfig | undefined,
): Promise<{ scores: number[]; asked: number }> {
  const claimed = store.claimScores ? new Set(await store.claimScores(missing)) : new Set(missing);
  const score = async (keys: string[]): Promise<number[]> => {
    if (keys.length === 0) return [];
    try {
      const scores = await scoreChecked(model, keys.map(itemOf), config);
      await store.updateScores(keys.map((key, i) => [key, scores[i]]));
      return scores;
    } finally {
      await store.releaseScores?.(keys);
    }
  };
  const mine = missing.filter((key) => claimed.has(key));
  const theirs = missing.filter((key) => !claimed.has(key));
  const [myScores, theirScores] = await Promise.all([
    score(mine),
    theirs.length > 0 && store.awaitScores ? store.awaitScores(theirs) : theirs.map(() => undefined),
  ]);
  const late = theirs.filter((_, i) => theirScores[i] === undefined);
  const lateScores = await score(late);
  const found = new Map<string, number>();
  mine.forEach((key, i) => found.set(key, myScores[i]));
  theirs.forEach((key, i) => found.set(key, theirScores[i]!));
  late.forEach((key, i) => found.set(key, lateScores[i]));
  return { scores: missing.map((key) => found.get(key)!), asked: mine.length + late.length };
}
