import { createTpoGraph, type TpoGraph } from "../src/graph/builder.js";
import type { TpoContextInput } from "../src/settings/run-settings.js";
import type { TpoStateType } from "../src/state/state.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { mapWithConcurrency } from "../src/util/map-with-concurrency.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";

export type BenchRewardKind = "tei" | "vllm-pooling";

/**
 * The graph a user would build against real servers: the OpenAI-compatible policy and an HTTP
 * reward model, both pointed at the simulated server. TEI's batch and the pooling concurrency are
 * set above any width the bench uses, so each reward step is one round trip of latency.
 */
export function createBenchGraph(url: string, kind: BenchRewardKind): TpoGraph {
  const policy = createOpenAIChatModel({ baseUrl: `${url}/v1` }, "tpo-sim");
  const rewardModel = createHttpRewardModel({ url, kind, batchSize: 64, concurrency: 64 });
  return createTpoGraph({ policy, rewardModel });
}

export interface QueryRun {
  wallMs: number;
  state: TpoStateType;
}

export async function runQuery(graph: TpoGraph, query: string, context: TpoContextInput): Promise<QueryRun> {
  const start = performance.now();
  const state = (await graph.invoke({ query }, { context })) as TpoStateType;
  return { wallMs: performance.now() - start, state };
}

/**
 * Runs every query with at most `concurrency` in flight: a worker takes the next query as soon
 * as its previous one ends (no batches, no barrier between them).
 */
export async function runPool(
  graph: TpoGraph,
  queries: string[],
  concurrency: number,
  context: (index: number) => TpoContextInput,
): Promise<{ wallMs: number; states: TpoStateType[] }> {
  const start = performance.now();
  const states = await mapWithConcurrency(
    queries,
    concurrency,
    async (query, index) => (await runQuery(graph, query, context(index))).state,
  );
  return { wallMs: performance.now() - start, states };
}

/** Characters of text a final state holds: candidates, critiques, gradients and messages. */
export function textCharsOf(state: TpoStateType): number {
  let chars = state.query.length;
  for (const c of state.pool) chars += c.text.length;
  for (const h of state.history) chars += (h.critique?.length ?? 0) + (h.gradient?.length ?? 0);
  for (const m of state.messages) chars += typeof m.content === "string" ? m.content.length : 0;
  return chars;
}
