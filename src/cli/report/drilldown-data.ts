import { bestAndWorst } from "../../nodes/select.js";
import type { Candidate } from "../../state/state.js";
import type {
  CandidateData,
  ComparisonData,
  GameData,
  IterationData,
  JudgmentData,
  QueryData,
  ReportData,
} from "../../web/report-data.js";
import type { BatchRecord } from "../batch/record.js";
import type { Judgment } from "../compare/judgment.js";

// A results file may come from anyone: every field is checked for its type here, so that the page
// gets text as strings and numbers as finite numbers, whatever the file held.

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const obj = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

function candidateOf(value: unknown): CandidateData | null {
  const c = obj(value);
  const id = text(c.id);
  const body = text(c.text);
  if (id === null || body === null) return null;
  return {
    id,
    text: body,
    score: num(c.score),
    iteration: num(c.iteration) ?? 0,
    origin: text(c.origin) ?? "",
  };
}

function usageFigures(value: unknown): { requests: number | null; tokens: number | null } {
  const u = obj(value);
  const prompt = num(u.promptTokens);
  const completion = num(u.completionTokens);
  return {
    requests: num(u.modelRequests),
    tokens: prompt === null && completion === null ? null : (prompt ?? 0) + (completion ?? 0),
  };
}

/** The pool's best once iteration `k` was scored, as select picks it (ties to the earliest). */
function bestIdAt(pool: CandidateData[], k: number): string | null {
  const upTo = pool.filter((c) => c.iteration <= k) as Candidate[];
  return bestAndWorst(upTo)?.best.id ?? null;
}

function iterationOf(value: unknown, pool: CandidateData[]): IterationData | null {
  const h = obj(value);
  const iteration = num(h.iteration);
  if (iteration === null) return null;
  return {
    iteration,
    chosen: text(obj(h.chosen).id),
    rejected: text(obj(h.rejected).id),
    critique: text(h.critique),
    gradient: text(h.gradient),
    candidates: num(h.candidates) ?? 0,
    untagged: num(h.untagged) ?? 0,
    failures: num(h.failures) ?? 0,
    bestSoFar: num(h.bestSoFar),
    bestId: bestIdAt(pool, iteration),
    ...usageFigures(h.usage),
    ms: num(h.elapsedMs),
  };
}

function settingsOf(value: unknown): [string, string][] {
  return Object.entries(obj(value)).flatMap(([name, v]) =>
    typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? [[name, String(v)]] : [],
  ) as [string, string][];
}

function messagesOf(value: unknown): QueryData["messages"] {
  if (!Array.isArray(value)) return null;
  return value.map((turn) => {
    const t = obj(turn);
    return { role: text(t.role) ?? "?", content: text(t.content) ?? "" };
  });
}

/** A record as the report's table and query page show it. */
export function queryDataOf(record: BatchRecord): QueryData {
  const r = obj(record);
  const pool = list(r.pool).flatMap((c) => candidateOf(c) ?? []);
  const history = list(r.history)
    .flatMap((h) => iterationOf(h, pool) ?? [])
    .sort((x, y) => x.iteration - y.iteration);
  const best = obj(r.best);
  const answerText = text(best.text);
  const answer: CandidateData | null =
    answerText === null
      ? null
      : {
          id: pool.find((c) => c.text === answerText)?.id ?? "",
          text: answerText,
          score: num(best.score),
          iteration: num(best.iteration) ?? 0,
          origin: "",
        };
  const first = history.find((h) => h.iteration === 0)?.bestSoFar ?? null;
  const settings = obj(r.settings);
  const error = obj(r.error);
  const errorText = text(error.message);
  const step = text(error.step);
  return {
    id: text(r.id) ?? "",
    mode: text(r.mode) ?? "-",
    query: text(r.query),
    messages: messagesOf(r.messages),
    first,
    best: answer?.score ?? null,
    gain: first !== null && answer?.score != null ? answer.score - first : null,
    bestIteration: answer?.iteration ?? null,
    stopReason: text(r.stopReason),
    stoppedAt: num(r.stoppedAt),
    ...usageFigures(r.usage),
    ms: num(r.elapsedMs),
    error: errorText === null ? null : step ? `${errorText} (step ${step})` : errorText,
    settings: settingsOf(settings),
    untaggedRewrites: text(settings.untaggedRewrites),
    answer,
    history,
    pool,
  };
}

function gameOf(value: unknown): GameData {
  const g = obj(value);
  return {
    shownFirst: text(g.shownFirst) ?? "?",
    verdict: text(g.verdict) ?? "?",
    winner: text(g.winner) ?? "?",
    rationale: text(g.rationale) ?? "",
  };
}

function judgmentOf(value: Judgment): JudgmentData | null {
  const j = obj(value);
  const id = text(j.id);
  if (id === null) return null;
  return { id, outcome: text(j.outcome) ?? "?", games: list(j.games).map(gameOf) };
}

/** A compare file's judgments for the query pages, with who judged. */
export function comparisonDataOf(
  judgments: readonly Judgment[],
  about: { judge: string; source: string },
): ComparisonData {
  const first = obj(judgments[0]);
  return {
    a: text(first.a) ?? "a",
    b: text(first.b) ?? "b",
    judge: about.judge,
    source: about.source,
    judgments: judgments.flatMap((j) => judgmentOf(j) ?? []),
  };
}

/** Everything the page's script shows: the table's rows and each query's story. */
export function reportDataOf(records: readonly BatchRecord[], comparisons: ComparisonData[]): ReportData {
  return { queries: records.map(queryDataOf), comparisons };
}
