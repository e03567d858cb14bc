import type { BaseMessage } from "@langchain/core/messages";
import type { JudgementStore } from "../models/model-caches.js";
import { costOf, type ModelPrice } from "../models/prices.js";
import type { JudgeDescription } from "./compare/judgment.js";

/** Requests and tokens of a judge's verdict, as its server counted them when it was asked. */
export interface JudgeCounts {
  requests: number;
  promptTokens: number;
  cachedPromptTokens?: number;
  completionTokens: number;
}

/**
 * Where one judge's verdicts are kept. A verdict is an evaluation, like a reward score: it depends
 * on the judge, its prompt with both texts in the order shown, and its request settings, and is
 * reused whenever all of them are the same, seed or not (docs/cache.md says why).
 */
export interface JudgeCache {
  store: JudgementStore;
  /** What identifies the judge: its server (no credentials) and model name, never a key. */
  judge: string;
  /** Told of each verdict the cache answered, with the requests and tokens that asking cost. */
  onAnswered?(saved: JudgeCounts): void;
}

/** The cache of one judge's verdicts in `store`: the judge named by its description (never a key). */
export function judgeCacheOf(
  store: JudgementStore,
  judge: JudgeDescription,
  onAnswered?: JudgeCache["onAnswered"],
): JudgeCache {
  return { store, judge: JSON.stringify(judge), ...(onAnswered ? { onAnswered } : {}) };
}

/** What a judge's request is, for its key: the messages sent and every setting that shapes the answer. */
export function judgeRequest(
  kind: string,
  messages: BaseMessage[],
  settings: Record<string, unknown>,
): Record<string, unknown> {
  return { kind, messages: messages.map((m) => [m.getType(), m.text]), settings };
}

/**
 * The verdict of `request`: from the cache when it has one that passes `valid`, else asked with
 * `ask` and kept when it is valid (a judgement without a verdict is not kept: asking again may
 * get one).
 */
export async function judgedWithCache<T>(
  cache: JudgeCache | undefined,
  request: Record<string, unknown>,
  read: { valid(value: unknown): value is T; counts(value: T): JudgeCounts },
  ask: () => Promise<T>,
): Promise<T> {
  if (!cache) return ask();
  const material = JSON.stringify({ judge: cache.judge, request });
  const found = await cache.store.lookupJudgement(material);
  if (read.valid(found)) {
    cache.onAnswered?.(read.counts(found));
    return found;
  }
  const verdict = await ask();
  if (read.valid(verdict)) await cache.store.updateJudgement(material, verdict);
  return verdict;
}

/** What the cache answered for a judge in one run: requests not sent, their tokens, and their cost at the judge's price. */
export class JudgeCacheTally {
  requests = 0;
  tokens = 0;
  /** US dollars not spent; undefined without a price. */
  costUsd: number | undefined;

  constructor(private readonly price: ModelPrice | undefined) {
    this.costUsd = price && 0;
  }

  /** For JudgeCache's onAnswered. */
  readonly add = (saved: JudgeCounts): void => {
    this.requests += saved.requests;
    this.tokens += saved.promptTokens + saved.completionTokens;
    if (this.price && this.costUsd !== undefined) {
      this.costUsd += costOf({ cachedPromptTokens: 0, ...saved }, this.price);
    }
  };
}
