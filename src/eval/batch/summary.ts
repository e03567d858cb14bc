import { pythonLength } from "../alpaca-eval/annotations.js";
import { bestAndWorst } from "../../nodes/select.js";
import type { TpoMode } from "../../settings/run-settings.js";
import {
  addReplicaUsage,
  type Candidate,
  type HistoryRecord,
  type ReplicaUsage,
  type StopReason,
} from "../../state/state.js";
import { isSuccess, type BatchRecord } from "./record.js";
import { groupBySettings } from "./settings-check.js";

export interface IterationSummary {
  iteration: number;
  /** Queries that reached this iteration. */
  queries: number;
  /** Mean over queries of the best score in the pool after this iteration. */
  meanBest: number | null;
  /** Mean over queries of the mean score of this iteration's new candidates. */
  meanNew: number | null;
  /**
   * Mean over queries of the length of the pool's best after this iteration (the answer, had the
   * run stopped there), in characters as Python's len() counts them, as alpaca_eval's avg_length.
   */
  meanLength: number | null;
  /** Mean over queries of the tokens (prompt and completion) spent up to and including this iteration. */
  meanTokens: number | null;
  /** The same in USD, when every one of those iterations' records carries `usage.costUsd`; else null. */
  meanCostUsd: number | null;
}

export interface ModeSummary {
  mode: TpoMode;
  /** The mode, and the settings that tell it apart when a file holds records of several settings. */
  label: string;
  queries: number;
  failed: number;
  width: number | null;
  depth: number | null;
  iterations: IterationSummary[];
  meanFinalBest: number | null;
  requestsPerQuery: number | null;
  /** Mean over queries of the update outputs that had no response tags (dropped, or kept whole). */
  untaggedPerQuery: number | null;
  tokensPerQuery: number | null;
  secondsPerQuery: number | null;
  /** Mean US dollars per query, over the queries whose records carry a cost (run with prices); null without. */
  costPerQuery: number | null;
  /** US dollars of all of the mode's queries that carry a cost; null when none does. */
  costUsd: number | null;
  /** Queries per stop reason (records that carry one), and the mean iteration they stopped at. */
  stops: StopSummary[];
}

export interface StopSummary {
  reason: StopReason;
  queries: number;
  meanStoppedAt: number | null;
}

/** What one server of a role did over the whole batch (roles with several servers only). */
export interface ServerSummary {
  role: string;
  server: string;
  requests: number;
  failures: number;
  promptTokens: number;
  cachedPromptTokens: number;
}

export interface BatchSummary {
  modes: ModeSummary[];
  /** Records of input lines that could not be read. */
  inputErrors: number;
  backends: string[];
  /** Per server, over the records that finished, when a role has several servers. */
  servers: ServerSummary[];
  /** US dollars of every query that carries a cost (failed ones too, as far as they got); null when none does. */
  costUsd: number | null;
}

const MODE_ORDER: TpoMode[] = ["tpo", "revision", "bon"];

/**
 * "sim" for the simulated world, in process or behind `tpo sim-server` (which says so in its model
 * list, or whose model is tpo-sim), however the server was reached.
 */
function backendOf(models: Record<string, string>): string {
  if (models.simulated === "true") return "sim";
  if (models.backend) return models.backend;
  return models.model?.startsWith("tpo-sim") ? "sim" : "openai";
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

function stopsOf(records: BatchRecord[]): StopSummary[] {
  const reasons = [...new Set(records.flatMap((r) => (r.stopReason ? [r.stopReason] : [])))].sort();
  return reasons.map((reason) => {
    const stopped = records.filter((r) => r.stopReason === reason);
    return {
      reason,
      queries: stopped.length,
      meanStoppedAt: mean(stopped.flatMap((r) => (r.stoppedAt === undefined ? [] : [r.stoppedAt]))),
    };
  });
}

function sum(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0);
}

/** The cost a record carries: its run's, when it was run with prices. */
export function recordCost(record: BatchRecord): number | undefined {
  return record.usage?.costUsd;
}

function costsOf(records: BatchRecord[]): number[] {
  return records.flatMap((r) => {
    const cost = recordCost(r);
    return cost === undefined ? [] : [cost];
  });
}

/** The pool's best once iteration `k` was scored, as select picks it (ties to the earliest). */
export function bestAt(pool: readonly Candidate[], k: number): Candidate | null {
  return bestAndWorst(pool.filter((c) => c.iteration <= k))?.best ?? null;
}

/** Tokens and USD spent up to and including iteration `k` (USD null unless every record says). */
export function spentUpTo(
  history: readonly HistoryRecord[],
  k: number,
): { tokens: number; usd: number | null } {
  const upTo = history.filter((h) => h.iteration <= k);
  const priced = upTo.every((h) => typeof h.usage.costUsd === "number");
  return {
    tokens: upTo.reduce((sum, h) => sum + h.usage.promptTokens + h.usage.completionTokens, 0),
    usd: priced ? upTo.reduce((sum, h) => sum + h.usage.costUsd!, 0) : null,
  };
}

/** The mean of values that are all there; null when one is missing (a figure of some queries only would mislead). */
function meanOfAll(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : mean(values as number[]);
}

function summarizeMode(mode: TpoMode, label: string, records: BatchRecord[]): ModeSummary {
  const ok = records.filter(isSuccess);
  const depth = Math.max(-1, ...ok.map((r) => r.history.length - 1));
  const iterations: IterationSummary[] = [];
  for (let k = 0; k <= depth; k++) {
    const reached = ok.filter((r) => r.history.some((h) => h.iteration === k));
    const at = reached.map((r) => r.history.find((h) => h.iteration === k)!);
    const spent = reached.map((r) => spentUpTo(r.history, k));
    iterations.push({
      iteration: k,
      queries: at.length,
      meanBest: mean(at.flatMap((h) => (h.bestSoFar === null ? [] : [h.bestSoFar]))),
      meanNew: mean(at.flatMap((h) => (h.scores ? [h.scores.mean] : []))),
      meanLength: mean(
        reached.flatMap((r) => {
          const best = bestAt(r.pool ?? [], k);
          return best ? [pythonLength(best.text)] : [];
        }),
      ),
      meanTokens: mean(spent.map((s) => s.tokens)),
      meanCostUsd: meanOfAll(spent.map((s) => s.usd)),
    });
  }
  const settings = ok[0]?.settings;
  return {
    mode,
    label,
    queries: ok.length,
    failed: records.length - ok.length,
    width: settings?.width ?? null,
    depth: settings ? (mode === "bon" ? 0 : settings.depth) : null,
    iterations,
    meanFinalBest: mean(ok.map((r) => r.best.score)),
    requestsPerQuery: mean(ok.map((r) => r.usage.modelRequests)),
    untaggedPerQuery: mean(ok.map((r) => r.history.reduce((sum, h) => sum + (h.untagged ?? 0), 0))),
    tokensPerQuery: mean(ok.map((r) => r.usage.promptTokens + r.usage.completionTokens)),
    secondsPerQuery: mean(ok.map((r) => r.elapsedMs / 1000)),
    costPerQuery: mean(costsOf(ok)),
    costUsd: sum(costsOf(records)),
    stops: stopsOf(ok),
  };
}

/**
 * What the summary reads of a record, for a command that keeps many: the record without its
 * conversation, the texts of its answer and history (the bulk of a record), and the candidates
 * that were never the best after an iteration (the rest give the answer lengths per iteration).
 */
export function summaryView(record: BatchRecord): BatchRecord {
  const { pool, messages: _messages, ...rest } = record;
  const bests = new Set((record.history ?? []).map((h) => bestAt(pool ?? [], h.iteration)?.id));
  return {
    ...rest,
    ...(pool ? { pool: pool.filter((c) => bests.has(c.id)) } : {}),
    query: null,
    ...(record.best ? { best: { ...record.best, text: "" } } : {}),
    ...(record.history
      ? { history: record.history.map((h) => ({ ...h, critique: null, gradient: null })) }
      : {}),
  };
}

/**
 * Per mode and iteration: the mean best reward and the mean reward of that iteration's new
 * candidates; per mode, the cost per query. The package exports it as `summarizeResults`.
 */
export function summarize(records: Iterable<BatchRecord>): BatchSummary {
  const byMode = new Map<TpoMode, BatchRecord[]>();
  let inputErrors = 0;
  const backends = new Set<string>();
  let replicas: ReplicaUsage | undefined;
  for (const record of records) {
    if (record.mode === null) {
      inputErrors++;
      continue;
    }
    if (record.models) backends.add(backendOf(record.models));
    if (isSuccess(record)) replicas = addReplicaUsage(replicas, record.usage.replicas);
    const list = byMode.get(record.mode);
    if (list) list.push(record);
    else byMode.set(record.mode, [record]);
  }
  const modes = [...byMode.keys()].sort((a, b) => MODE_ORDER.indexOf(a) - MODE_ORDER.indexOf(b));
  const summaries = modes.flatMap((m) =>
    groupBySettings(m, byMode.get(m)!).map((group) => summarizeMode(m, group.label, group.records)),
  );
  const costUsd = sum(summaries.flatMap((m) => (m.costUsd === null ? [] : [m.costUsd])));
  return { modes: summaries, inputErrors, backends: [...backends], servers: serversOf(replicas), costUsd };
}

function serversOf(replicas: ReplicaUsage | undefined): ServerSummary[] {
  return Object.entries(replicas ?? {}).flatMap(([role, servers]) =>
    Object.entries(servers)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([server, counts]) => ({ role, server, ...counts })),
  );
}
