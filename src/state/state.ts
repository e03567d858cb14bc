import { createHash } from "node:crypto";
import type { BaseMessage, BaseMessageLike } from "@langchain/core/messages";
import { Annotation, messagesStateReducer } from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
import { z } from "zod";
import type { TpoContext } from "../settings/run-settings.js";

export type CandidateOrigin = "sample" | "update";

export interface Candidate {
  /** Hash of the text: identical texts are one candidate. */
  id: string;
  text: string;
  /** null until the reward model has scored it; never recomputed afterwards. */
  score: number | null;
  /**
   * Set when a judge looked at the candidate and gave it no score (a person who picked only the
   * best and the worst): it stays unscored, is never chosen, and is not asked about again.
   */
  judgedWithoutScore?: boolean;
  /** 0 for the first samples, k for the candidates written by the k-th update. */
  iteration: number;
  origin: CandidateOrigin;
}

/** Requests, tokens and time spent; summed wherever two usages meet. */
export interface Usage {
  modelRequests: number;
  promptTokens: number;
  /**
   * The part of `promptTokens` that the server read from its prefix cache (OpenAI's and vLLM's
   * `usage.prompt_tokens_details.cached_tokens`); 0 when the server does not say.
   */
  cachedPromptTokens: number;
  completionTokens: number;
  rewardRequests: number;
  /** Milliseconds spent in each node, by node name. */
  nodeMs: Record<string, number>;
  /**
   * Per server, when a role has several (a comma-separated list of URLs): by role ("policy",
   * "critic", "reward", …), then by server URL (credentials hidden). Absent with one server per role.
   */
  replicas?: ReplicaUsage;
  /**
   * The part of the counts above that the persistent cache answered: no request was sent for it.
   * The counts above say what the answer took, cached or not, so that a re-run writes the same
   * record (docs/cache.md). Money saved is this part's cost (a price hook for `costUsd`).
   */
  fromCache?: Partial<CacheCounts>;
  /** Requests and tokens by node name, and what each node cost when prices were given. */
  byNode?: Record<string, NodeUsage>;
  /** What the usage cost in US dollars, at the prices given; absent when none were given. */
  costUsd?: number;
}

/** Requests and tokens the persistent cache answered, and, with prices, what they would have cost. */
export interface CacheCounts {
  modelRequests: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  rewardRequests: number;
  /** US dollars the cache saved: these counts at the prices given (part of the usage's `costUsd`). */
  costUsd: number;
}

/** Two cache counts added up; undefined when neither has any. */
export function addCacheCounts(
  a: Partial<CacheCounts> | undefined,
  b: Partial<CacheCounts> | undefined,
): Partial<CacheCounts> | undefined {
  if (!a && !b) return undefined;
  const sum: Partial<CacheCounts> = { ...a };
  for (const [key, value] of Object.entries(b ?? {}) as [keyof CacheCounts, number][]) {
    sum[key] = (sum[key] ?? 0) + value;
  }
  return sum;
}

/** What one node spent: its model or reward requests, their tokens, and their cost when priced. */
export interface NodeUsage {
  requests: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  costUsd?: number;
}

/** Two costs added up: absent only when neither is given. */
function addCost(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

/** Two per-node usages added up, node by node. */
export function addNodeUsage(
  a: Record<string, NodeUsage> | undefined,
  b: Record<string, NodeUsage> | undefined,
): Record<string, NodeUsage> | undefined {
  if (!b) return a;
  const sum: Record<string, NodeUsage> = { ...a };
  for (const [node, counts] of Object.entries(b)) {
    const base = sum[node] ?? { requests: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 };
    const costUsd = addCost(base.costUsd, counts.costUsd);
    sum[node] = {
      requests: base.requests + counts.requests,
      promptTokens: base.promptTokens + counts.promptTokens,
      cachedPromptTokens: base.cachedPromptTokens + counts.cachedPromptTokens,
      completionTokens: base.completionTokens + counts.completionTokens,
      ...(costUsd !== undefined && { costUsd }),
    };
  }
  return sum;
}

/** What one server of a role did: requests it answered, requests that failed on it, prompt tokens. */
export interface ReplicaCounts {
  requests: number;
  failures: number;
  promptTokens: number;
  cachedPromptTokens: number;
}

export type ReplicaUsage = Record<string, Record<string, ReplicaCounts>>;

/** Two per-server usages added up, server by server. */
export function addReplicaUsage(
  a: ReplicaUsage | undefined,
  b: ReplicaUsage | undefined,
): ReplicaUsage | undefined {
  if (!b) return a;
  if (!a) return structuredClone(b);
  const sum: ReplicaUsage = structuredClone(a);
  for (const [role, servers] of Object.entries(b)) {
    const into = (sum[role] ??= {});
    for (const [server, counts] of Object.entries(servers)) {
      const base = into[server] ?? { requests: 0, failures: 0, promptTokens: 0, cachedPromptTokens: 0 };
      into[server] = {
        requests: base.requests + counts.requests,
        failures: base.failures + counts.failures,
        promptTokens: base.promptTokens + counts.promptTokens,
        cachedPromptTokens: base.cachedPromptTokens + counts.cachedPromptTokens,
      };
    }
  }
  return sum;
}

export interface ScoreStats {
  min: number;
  mean: number;
  max: number;
}

export interface ScoredRef {
  id: string;
  score: number;
}

/**
 * One record per iteration. Record 0 is the first sampling; record k (k >= 1) is the k-th
 * optimisation step: the pair it started from, the critique, the gradient, and the candidates
 * its update wrote.
 */
export interface HistoryRecord {
  iteration: number;
  chosen: ScoredRef | null;
  rejected: ScoredRef | null;
  critique: string | null;
  gradient: string | null;
  /** How many new candidates this iteration produced (after merging identical texts). */
  candidates: number;
  /** Scores of this iteration's new candidates. */
  scores: ScoreStats | null;
  /** Best score in the whole pool once this iteration's candidates were scored. */
  bestSoFar: number | null;
  /**
   * Update outputs without the response tags: dropped (never scored, never the answer), or taken
   * whole with the run setting `untaggedRewrites: "keep"`.
   */
  untagged: number;
  /** Samples that produced nothing usable (empty output, failed request). */
  failures: number;
  /** How the N samples were requested: one request with `n`, parallel requests, or both. */
  sampling: string | null;
  elapsedMs: number;
  usage: Usage;
}

/** A partial record, merged into the record of the same iteration. */
export type HistoryPatch = Partial<Omit<HistoryRecord, "iteration" | "usage">> & {
  iteration: number;
  usage?: Partial<Usage>;
};

export function emptyUsage(): Usage {
  return {
    modelRequests: 0,
    promptTokens: 0,
    cachedPromptTokens: 0,
    completionTokens: 0,
    rewardRequests: 0,
    nodeMs: {},
  };
}

export function addUsage(a: Usage, b: Partial<Usage> | undefined): Usage {
  if (!b) return a;
  const nodeMs = { ...a.nodeMs };
  for (const [node, ms] of Object.entries(b.nodeMs ?? {})) nodeMs[node] = (nodeMs[node] ?? 0) + ms;
  const replicas = addReplicaUsage(a.replicas, b.replicas);
  const byNode = addNodeUsage(a.byNode, b.byNode);
  const costUsd = addCost(a.costUsd, b.costUsd);
  const fromCache = addCacheCounts(a.fromCache, b.fromCache);
  return {
    modelRequests: a.modelRequests + (b.modelRequests ?? 0),
    promptTokens: a.promptTokens + (b.promptTokens ?? 0),
    cachedPromptTokens: (a.cachedPromptTokens ?? 0) + (b.cachedPromptTokens ?? 0),
    completionTokens: a.completionTokens + (b.completionTokens ?? 0),
    rewardRequests: a.rewardRequests + (b.rewardRequests ?? 0),
    nodeMs,
    ...(replicas ? { replicas } : {}),
    ...(fromCache ? { fromCache } : {}),
    ...(byNode ? { byNode } : {}),
    ...(costUsd !== undefined ? { costUsd } : {}),
  };
}

export function candidateId(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function makeCandidate(text: string, iteration: number, origin: CandidateOrigin): Candidate {
  return { id: candidateId(text), text, score: null, iteration, origin };
}

/** Whether a candidate still waits for its judgement: no score, and not judged without one. */
export function awaitsJudgement(candidate: Candidate): boolean {
  return candidate.score === null && !candidate.judgedWithoutScore;
}

/**
 * Merges by id, in order of first appearance; a candidate keeps the first judgement it was given
 * (a score, or a judgement without a score).
 */
export function mergePool(left: Candidate[], right: Candidate[]): Candidate[] {
  const byId = new Map(left.map((c) => [c.id, c]));
  const merged = [...left];
  for (const incoming of right) {
    const existing = byId.get(incoming.id);
    if (!existing) {
      byId.set(incoming.id, incoming);
      merged.push(incoming);
    } else if (awaitsJudgement(existing) && !awaitsJudgement(incoming)) {
      const scored: Candidate =
        incoming.score !== null
          ? { ...existing, score: incoming.score }
          : { ...existing, judgedWithoutScore: true };
      byId.set(incoming.id, scored);
      merged[merged.indexOf(existing)] = scored;
    }
  }
  return merged;
}

/** A record of `iteration` with nothing in it yet. */
export function emptyRecord(iteration: number): HistoryRecord {
  return {
    iteration,
    chosen: null,
    rejected: null,
    critique: null,
    gradient: null,
    candidates: 0,
    scores: null,
    bestSoFar: null,
    untagged: 0,
    failures: 0,
    sampling: null,
    elapsedMs: 0,
    usage: emptyUsage(),
  };
}

/**
 * Patches merge into the record of their iteration: counters and usage add up, other fields are
 * replaced. Nodes each contribute their part of a record without reading it first.
 */
export function mergeHistory(left: HistoryRecord[], right: HistoryPatch[]): HistoryRecord[] {
  const records = [...left];
  for (const patch of right) {
    const index = records.findIndex((r) => r.iteration === patch.iteration);
    const base = index >= 0 ? records[index] : emptyRecord(patch.iteration);
    const merged: HistoryRecord = {
      ...base,
      ...patch,
      iteration: base.iteration,
      candidates: base.candidates + (patch.candidates ?? 0),
      untagged: base.untagged + (patch.untagged ?? 0),
      failures: base.failures + (patch.failures ?? 0),
      usage: addUsage(base.usage, patch.usage),
      elapsedMs: 0,
    };
    merged.elapsedMs = Object.values(merged.usage.nodeMs).reduce((sum, ms) => sum + ms, 0);
    if (index >= 0) records[index] = merged;
    else records.push(merged);
  }
  return records.sort((a, b) => a.iteration - b.iteration);
}

/**
 * Why a run stopped: it reached its depth (or ran in mode bon), its best score reached the target,
 * it ran out of patience, or one more iteration would have passed its token or request budget
 * (budget) or its dollar budget (cost).
 */
export type StopReason = "depth" | "target" | "patience" | "budget" | "cost";

export interface BestResponse {
  text: string;
  score: number;
  iteration: number;
}

export const TpoState = Annotation.Root({
  /** The conversation; the best response is appended as an AIMessage when the run ends. */
  messages: Annotation<BaseMessage[], BaseMessage | BaseMessage[]>({
    reducer: messagesStateReducer,
    default: () => [],
  }),
  /** The user query, for callers that have a single question rather than a conversation. */
  query: Annotation<string>({ reducer: (_left, right) => right, default: () => "" }),
  pool: Annotation<Candidate[]>({ reducer: mergePool, default: () => [] }),
  /** The iteration of the newest candidates: 0 after generate, k after the k-th update. */
  iteration: Annotation<number>({ reducer: (_left, right) => right, default: () => 0 }),
  chosen: Annotation<string | null>({ reducer: (_left, right) => right, default: () => null }),
  rejected: Annotation<string | null>({ reducer: (_left, right) => right, default: () => null }),
  critiqueText: Annotation<string | null>({ reducer: (_left, right) => right, default: () => null }),
  gradientText: Annotation<string | null>({ reducer: (_left, right) => right, default: () => null }),
  history: Annotation<HistoryRecord[], HistoryPatch[]>({ reducer: mergeHistory, default: () => [] }),
  usage: Annotation<Usage, Partial<Usage>>({ reducer: addUsage, default: emptyUsage }),
  best: Annotation<BestResponse | null>({ reducer: (_left, right) => right, default: () => null }),
  /** Why no further iteration started; null while the run goes on. */
  stopReason: Annotation<StopReason | null>({ reducer: (_left, right) => right, default: () => null }),
  /** The iteration the run stopped at (0: right after the first sampling); null while it goes on. */
  stoppedAt: Annotation<number | null>({ reducer: (_left, right) => right, default: () => null }),
  /**
   * The run settings the run started with, or was last given explicitly: a run resumed without a
   * context (after a human judgement, say) goes on with them rather than with the defaults.
   */
  settings: Annotation<TpoContext | null>({ reducer: (_left, right) => right, default: () => null }),
});

export type TpoStateType = typeof TpoState.State;
export type TpoUpdate = typeof TpoState.Update;

// Any value: messages reach the messages reducer as they are (class instances, or message-like
// objects from an HTTP client), and the reducer converts them. Studio shows the field as a chat.
const messageInput: z.ZodType<BaseMessageLike | BaseMessageLike[]> = z.any();
const conversationInput = messageInput
  .optional()
  .describe("The conversation: messages ending with the user turn to answer.");
registry.add(conversationInput, { jsonSchemaExtra: { langgraph_type: "messages" } });

/**
 * What a run takes: a query, or a conversation. LangGraph Studio draws its input form from it.
 * (The state itself stays an Annotation: a StateSchema would hide the run settings' form, which
 * the LangGraph API server does not read from a graph whose state is a StateSchema.)
 */
export const TpoInputSchema = z.object({
  query: z
    .string()
    .optional()
    .describe("The user query; on a thread that already has an answer, a new user turn."),
  messages: conversationInput,
});

export type TpoInput = z.input<typeof TpoInputSchema>;
