import { BaseCache } from "@langchain/core/caches";
import type { CachedResponse } from "../models/chat/response-cache.js";
import type { JudgementStore, ModelCaches } from "../models/model-caches.js";
import type { ScoreStore } from "../models/reward/score-cache.js";
import type { CacheBackend } from "./backend.js";
import { keyOf, rowOf, valueOf, type EntryKind } from "./entry.js";

/** What a cache did: entries found, entries looked for in vain, entries refused by their check, store failures. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Rows that were there but failed their check or did not parse: treated as misses. */
  rejected: number;
  /** Lookups or writes that failed (a lost connection, a locked file): treated as misses. */
  failures: number;
}

/** How long a claim holds: past it, its process is taken for dead and another scores the response. */
const CLAIM_STALE_MS = 60_000;
const CLAIM_POLL_MS = 50;

/** What identifies each model, as the cache's keys hold it: servers and names, never a key. */
export interface ModelIdentities {
  policy: string;
  critic: string;
  reward: string;
}

function isCachedResponse(value: unknown): value is CachedResponse {
  const v = value as CachedResponse | null;
  return (
    Array.isArray(v?.texts) &&
    v.texts.every((t) => typeof t === "string") &&
    ["promptTokens", "cachedPromptTokens", "completionTokens"].every(
      (k) => typeof (v.usage as Record<string, unknown> | undefined)?.[k] === "number",
    )
  );
}

/**
 * The persistent cache of responses and scores: one backend (a SQLite file or a PostgreSQL
 * database), LangChain's cache interface for responses, a batch interface for scores. Nothing it
 * does throws once it is open: a lookup that fails, or a row that fails its check, is a miss;
 * `onProblem` hears of the first failure.
 */
export class TpoCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, rejected: 0, failures: 0 };

  /** Responses to seeded chat requests, by prompt and request settings (LangChain's BaseCache). */
  readonly responses: BaseCache<CachedResponse>;

  /** Reward scores, by reward model, conversation and response. */
  readonly scores: ScoreStore;

  /** Judges' verdicts, by judge and request (the judge checks what it reads back). */
  readonly judgements: JudgementStore;

  private problemSaid = false;

  constructor(
    private readonly backend: CacheBackend,
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the two stores are views of this cache
    const cache = this;
    this.responses = new (class extends BaseCache<CachedResponse> {
      async lookup(prompt: string, llmKey: string): Promise<CachedResponse | null> {
        const [value] = await cache.lookup("chat", [`${llmKey}\u0000${prompt}`], isCachedResponse);
        return value ?? null;
      }
      async update(prompt: string, llmKey: string, value: CachedResponse): Promise<void> {
        await cache.store("chat", [[`${llmKey}\u0000${prompt}`, value]]);
      }
    })();
    const isScore = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
    this.scores = {
      lookupScores: (keys) => cache.lookup("score", keys, isScore),
      updateScores: (entries) => cache.store("score", entries),
      ...(backend.claim ? this.claims(isScore) : {}),
    };
    const isValue = (v: unknown): v is unknown => v !== undefined;
    this.judgements = {
      lookupJudgement: async (material) => (await cache.lookup("judgement", [material], isValue))[0],
      updateJudgement: (material, value) => cache.store("judgement", [[material, value]]),
    };
  }

  /** The file, or the URL without its password. */
  get where(): string {
    return this.backend.where;
  }

  /** The caches of a graph's models (`createTpoGraph({ ...models, modelCache })`). */
  forModels(models: ModelIdentities): ModelCaches {
    return {
      policy: { store: this.responses, model: models.policy },
      critic: { store: this.responses, model: models.critic },
      reward: { store: this.scores, model: models.reward },
    };
  }

  /**
   * Claims of scores for a backend that several machines share (PostgreSQL): one process scores
   * a response, the others wait for its score, for as long as a claim stays fresh.
   */
  private claims(
    isScore: (v: unknown) => v is number,
  ): Pick<ScoreStore, "claimScores" | "awaitScores" | "releaseScores"> {
    const keyOfScore = (material: string) => keyOf("score", material);
    return {
      claimScores: async (materials) => {
        try {
          const won = await this.backend.claim!(materials.map(keyOfScore), CLAIM_STALE_MS);
          return materials.filter((m) => won.has(keyOfScore(m)));
        } catch (error) {
          this.problem("a claim", error);
          return materials;
        }
      },
      awaitScores: async (materials) => {
        const scores: (number | undefined)[] = materials.map(() => undefined);
        const deadline = Date.now() + CLAIM_STALE_MS;
        while (Date.now() < deadline) {
          const open = materials.flatMap((m, i) => (scores[i] === undefined ? [i] : []));
          if (open.length === 0) break;
          try {
            const rows = await this.backend.get(open.map((i) => keyOfScore(materials[i])));
            for (const i of open) {
              const value = valueOf(materials[i], rows.get(keyOfScore(materials[i])));
              if (isScore(value)) scores[i] = value;
            }
          } catch (error) {
            this.problem("a lookup", error);
            break;
          }
          if (scores.every((s) => s !== undefined)) break;
          await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
        }
        return scores;
      },
      releaseScores: async (materials) => {
        try {
          await this.backend.unclaim?.(materials.map(keyOfScore));
        } catch (error) {
          this.problem("a release of claims", error);
        }
      },
    };
  }

  private async lookup<T>(
    kind: EntryKind,
    materials: string[],
    valid: (v: unknown) => v is T,
  ): Promise<(T | undefined)[]> {
    let rows;
    try {
      rows = await this.backend.get(materials.map((m) => keyOf(kind, m)));
    } catch (error) {
      this.problem("a lookup", error);
      this.stats.misses += materials.length;
      return materials.map(() => undefined);
    }
    return materials.map((material) => {
      const row = rows.get(keyOf(kind, material));
      const value = valueOf(material, row);
      if (row && (value === undefined || !valid(value))) this.stats.rejected++;
      if (value !== undefined && valid(value)) {
        this.stats.hits++;
        return value;
      }
      this.stats.misses++;
      return undefined;
    });
  }

  private async store(kind: EntryKind, entries: [material: string, value: unknown][]): Promise<void> {
    try {
      await this.backend.put(entries.map(([material, value]) => rowOf(kind, material, value)));
    } catch (error) {
      this.problem("a write", error);
    }
  }

  private problem(what: string, error: unknown): void {
    this.stats.failures++;
    if (this.problemSaid) return;
    this.problemSaid = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.onProblem(`${what} of the cache ${this.where} failed (${reason}); such requests are sent instead.`);
  }

  /** Deletes the entries written more than `olderThanMs` ago; returns how many. */
  prune(olderThanMs: number): Promise<number> {
    return this.backend.prune(Date.now() - olderThanMs);
  }

  /** Entries by kind ("chat", "score"). */
  count(): Promise<Record<string, number>> {
    return this.backend.count();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
