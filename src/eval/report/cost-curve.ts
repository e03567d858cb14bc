import type { TpoMode } from "../../settings/run-settings.js";
import { isSuccess, type BatchRecord } from "../batch/record.js";
import { groupBySettings } from "../batch/settings-check.js";
import { spentUpTo, type BatchSummary } from "../batch/summary.js";

/** One point of the curve: a mode's mean best reward against what the queries had spent by then. */
export interface CostPoint {
  /** The iteration after which (tpo, revision); null for best-of-N's points. */
  iteration: number | null;
  /** best-of-N: the mean number of its samples that the point's tokens buy. */
  samples: number | null;
  queries: number;
  /** Mean tokens (prompt and completion) per query spent up to the point. */
  meanTokens: number;
  /** The same in USD, when every record involved carries `usage.costUsd`; else null. */
  meanCostUsd: number | null;
  meanBest: number;
}

export interface CostSeries {
  mode: TpoMode;
  label: string;
  points: CostPoint[];
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** The iterating modes' points, from the summary: one per iteration. */
function iterationSeries(summary: BatchSummary): CostSeries[] {
  return summary.modes
    .filter((m) => m.mode !== "bon")
    .map((m) => ({
      mode: m.mode,
      label: m.label,
      points: m.iterations.flatMap((it) =>
        it.meanBest === null || it.meanTokens === null
          ? []
          : [
              {
                iteration: it.iteration,
                samples: null,
                queries: it.queries,
                meanTokens: it.meanTokens,
                meanCostUsd: it.meanCostUsd,
                meanBest: it.meanBest,
              },
            ],
      ),
    }));
}

/** A best-of-N record as its samples in the order they came, and what one sample cost. */
function samplesOf(record: BatchRecord & Required<Pick<BatchRecord, "history">>) {
  const spent = spentUpTo(record.history, 0);
  // Every requested sample costs, duplicates (merged in the pool) included.
  const requested = record.settings?.width ?? 1;
  return {
    scores: (record.pool ?? []).filter((c) => c.origin === "sample").map((c) => c.score),
    spent,
    tokens: spent.tokens / requested,
    usd: spent.usd === null ? null : spent.usd / requested,
  };
}

/**
 * Best-of-N at the spends of the other modes' points: for each spend T below its own, the best of
 * the first m samples of each query, m the samples that T buys at that query's tokens per sample
 * (its tokens prorated by sample count: an estimate), then its own point with every sample.
 */
function bonSeries(records: BatchRecord[], label: string, spends: number[]): CostSeries {
  const queries = records.filter(isSuccess).map(samplesOf);
  const point = (take: (q: (typeof queries)[number]) => number): CostPoint | null => {
    const taken = queries.map((q) => ({ q, m: Math.min(q.scores.length, take(q)) }));
    const bests = taken.map(({ q, m }) =>
      Math.max(...q.scores.slice(0, m).flatMap((s) => (s === null ? [] : [s]))),
    );
    if (taken.some(({ m }) => m < 1) || !bests.every(Number.isFinite)) return null;
    // All of a query's samples cost what it spent, the duplicates that the pool merged included.
    const all = (q: (typeof queries)[number], m: number) => m === q.scores.length;
    const usd = taken.map(({ q, m }) => (q.usd === null ? null : all(q, m) ? q.spent.usd! : q.usd * m));
    return {
      iteration: null,
      samples: mean(taken.map(({ m }) => m)),
      queries: queries.length,
      meanTokens: mean(taken.map(({ q, m }) => (all(q, m) ? q.spent.tokens : q.tokens * m))),
      meanCostUsd: usd.some((u) => u === null) ? null : mean(usd as number[]),
      meanBest: mean(bests),
    };
  };
  const own = queries.length === 0 ? Infinity : mean(queries.map((q) => q.spent.tokens));
  const points = [
    ...spends.filter((t) => t < own).map((t) => point((q) => Math.floor(t / q.tokens))),
    point((q) => q.scores.length),
  ];
  return { mode: "bon", label, points: points.filter((p) => p !== null) };
}

/**
 * The cost-versus-quality curve of a batch: for each mode, the mean best reward against the mean
 * tokens (and USD, when priced) spent after each iteration, and best-of-N at the same spends.
 */
export function costCurveOf(records: readonly BatchRecord[], summary: BatchSummary): CostSeries[] {
  const iterating = iterationSeries(summary);
  const spends = [...new Set(iterating.flatMap((s) => s.points.map((p) => p.meanTokens)))].sort(
    (a, b) => a - b,
  );
  const bon = records.filter((r) => r.mode === "bon");
  const bons = groupBySettings("bon", bon).map((g) => bonSeries(g.records, g.label, spends));
  return [...iterating, ...bons];
}
