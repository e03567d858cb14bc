import { Overwrite, type OverwriteValue } from "@langchain/langgraph";
import { queryTurns } from "../messages/conversation.js";
import { costOf, type PriceRole, type RolePrices } from "../models/prices.js";
import type { TpoNode, TpoNodeName } from "../nodes/contract.js";
import { bestAndWorst } from "../nodes/select.js";
import {
  addUsage,
  awaitsJudgement,
  emptyUsage,
  mergeHistory,
  mergePool,
  type Candidate,
  type HistoryPatch,
  type NodeUsage,
  type ScoredRef,
  type ScoreStats,
  type TpoStateType,
  type TpoUpdate,
  type Usage,
} from "../state/state.js";

function scoreStats(scores: number[]): ScoreStats | null {
  if (scores.length === 0) return null;
  return {
    min: Math.min(...scores),
    mean: scores.reduce((sum, s) => sum + s, 0) / scores.length,
    max: Math.max(...scores),
  };
}

/** A reducer channel's value as a node wrote it: the value itself, also inside an Overwrite. */
function unwrapOverwrite<T, U>(value: U | OverwriteValue<T> | undefined): T | U | undefined {
  return Overwrite.isInstance<T>(value) ? value.value : (value as U | undefined);
}

/** The candidates of a node's output that the pool does not hold yet, each once. */
function addedCandidates(output: TpoUpdate, pool: Candidate[]): Candidate[] {
  const known = new Set(pool.map((c) => c.id));
  return mergePool([], unwrapOverwrite(output.pool) ?? []).filter((c) => !known.has(c.id));
}

function ref(state: TpoStateType, id: string | null): ScoredRef | null {
  const candidate = state.pool.find((c) => c.id === id);
  return candidate && candidate.score !== null ? { id: candidate.id, score: candidate.score } : null;
}

type Recorder = (state: TpoStateType, output: TpoUpdate) => HistoryPatch;

/**
 * The history fields that each node's output and the state before it give, and the iteration
 * whose record they belong to: 0 for generate; the iteration being scored for reward and select;
 * the next one for critique, gradient and update. Finalize writes no record.
 */
const RECORDERS: Partial<Record<TpoNodeName, Recorder>> = {
  generate: (_state, output) => ({ iteration: 0, candidates: addedCandidates(output, []).length }),
  reward: (state, output) => {
    if (output.pool === undefined) return { iteration: state.iteration };
    const waiting = new Set(state.pool.filter(awaitsJudgement).map((c) => c.id));
    const scores = (unwrapOverwrite(output.pool) ?? []).flatMap((c) =>
      waiting.has(c.id) && c.iteration === state.iteration && c.score !== null ? [c.score] : [],
    );
    return { iteration: state.iteration, scores: scoreStats(scores) };
  },
  select: (state) => ({
    iteration: state.iteration,
    bestSoFar: bestAndWorst(state.pool)?.best.score ?? null,
  }),
  critique: (state, output) => ({
    iteration: state.iteration + 1,
    chosen: ref(state, state.chosen),
    rejected: ref(state, state.rejected),
    ...(typeof output.critiqueText === "string" && { critique: output.critiqueText }),
  }),
  gradient: (state, output) => ({
    iteration: state.iteration + 1,
    ...(typeof output.gradientText === "string" && { gradient: output.gradientText }),
  }),
  update: (state, output) => ({
    iteration: state.iteration + 1,
    candidates: addedCandidates(output, state.pool).length,
  }),
};

/**
 * Generate starts a fresh optimisation, so that a thread asked again (a new user turn) gets a new
 * pool, history and usage rather than the previous turn's: the graph, not the node, resets them.
 * A `query` becomes a user turn of the conversation.
 */
function freshStart(state: TpoStateType, output: TpoUpdate, history: HistoryPatch[], usage: Partial<Usage>) {
  const update: TpoUpdate = {
    ...output,
    query: "",
    iteration: 0,
    chosen: null,
    rejected: null,
    critiqueText: null,
    gradientText: null,
    best: null,
    stopReason: null,
    stoppedAt: null,
    pool: new Overwrite(mergePool([], unwrapOverwrite(output.pool) ?? [])),
    history: new Overwrite(mergeHistory([], history)),
    usage: new Overwrite(addUsage(emptyUsage(), usage)),
  };
  const turns = queryTurns(state.query);
  if (turns.length > 0) {
    const own = unwrapOverwrite(output.messages) ?? [];
    update.messages = [...turns, ...(Array.isArray(own) ? own : [own])];
  }
  return update;
}

/** The role whose model a node calls: the policy samples, the critic critiques and rewrites. */
const NODE_ROLES: Partial<Record<TpoNodeName, PriceRole>> = {
  generate: "policy",
  critique: "critic",
  gradient: "critic",
  update: "critic",
  reward: "reward",
};

/**
 * A node's own usage with its share by node and, at the prices of its role's model, its cost. A
 * node that sent no request (select, decide, finalize) has no share.
 */
export function pricedUsage(
  name: TpoNodeName,
  own: Partial<Usage>,
  prices: RolePrices | undefined,
): Partial<Usage> {
  const counts: NodeUsage = {
    requests: (own.modelRequests ?? 0) + (own.rewardRequests ?? 0),
    promptTokens: own.promptTokens ?? 0,
    cachedPromptTokens: own.cachedPromptTokens ?? 0,
    completionTokens: own.completionTokens ?? 0,
  };
  if (counts.requests + counts.promptTokens + counts.completionTokens === 0) return own;
  const role = NODE_ROLES[name];
  if (!prices || !role) return { ...own, byNode: { [name]: counts } };
  const costUsd = costOf(counts, prices[role]);
  const priced: Partial<Usage> = { ...own, byNode: { [name]: { ...counts, costUsd } }, costUsd };
  // The counts include what the persistent cache answered; that part's cost is money saved.
  const cached = own.fromCache;
  if (cached) {
    const saved = costOf(
      {
        requests: (cached.modelRequests ?? 0) + (cached.rewardRequests ?? 0),
        promptTokens: cached.promptTokens ?? 0,
        cachedPromptTokens: cached.cachedPromptTokens ?? 0,
        completionTokens: cached.completionTokens ?? 0,
      },
      prices[role],
    );
    priced.fromCache = { ...cached, costUsd: saved };
  }
  return priced;
}

/**
 * Wraps a node so that the graph records, around it, what every node has in common: its time
 * (`usage.nodeMs` and the record's `elapsedMs`), the usage it reports (by node, and priced when
 * `prices` are given), and the history fields its
 * output gives (critique ← critiqueText, gradient ← gradientText, candidates ← new pool entries,
 * scores, best so far, the chosen and rejected pair). The iteration counter is the graph's too:
 * 0 after generate, one more after each update. So a node, built-in or replaced, returns only its
 * own output (plus optional history patches for counters only it knows), and the history, the
 * trace and the report stay whole.
 */
export function withNodeRecords(name: TpoNodeName, node: TpoNode, prices?: RolePrices): TpoNode {
  const record = RECORDERS[name];
  return async (state, runtime) => {
    const start = performance.now();
    const output = await node(state, runtime);
    const own = pricedUsage(name, unwrapOverwrite(output.usage) ?? {}, prices);
    const usage = { ...own, nodeMs: { ...own.nodeMs, [name]: performance.now() - start } };
    const history: HistoryPatch[] = [...(unwrapOverwrite(output.history) ?? [])];
    if (record) history.push({ ...record(state, output), usage });
    if (name === "generate") return freshStart(state, output, history, usage);
    const update: TpoUpdate = { ...output, usage, history };
    if (name === "update") update.iteration = state.iteration + 1;
    return update;
  };
}
