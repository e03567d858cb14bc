import { bestAndWorst } from "../../nodes/select.js";
import type { Candidate } from "../../state/state.js";
import type {
  CandidateData,
  ComparisonData,
  GameData,
  IterationData,
  JudgmentData,
  QueryDetail,
  QueryRow,
  ReportRows,
} from "../../web/report-data.js";
import type { BatchRecord } from "../batch/record.js";
import type { Judgment } from "../compare/judgment.js";

// A results file may come from anyone: every field is checked for its type here, so that the page
// gets text as strings and numbers as finite numbers, whatever the file held.

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
/** A score, to four decimals: the page shows two, and sixteen random digits would not compress. */
const score = (value: unknown): number | null => {
  const n = num(value);
  return n === null ? null : Math.round(n * 1e4) / 1e4;
};
const ms = (value: unknown): number | null => {
  const n = num(value);
  return n === null ? null : Math.round(n);
};
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
    score: score(c.score),
    iteration: num(c.iteration) ?? 0,
    origin: text(c.origin) ?? "",
  };
}

function usageFigures(value: unknown): {
  requests: number | null;
  tokens: number | null;
  costUsd: number | null;
} {
  const u = obj(value);
  const prompt = num(u.promptTokens);
  const completion = num(u.completionTokens);
  return {
    requests: num(u.modelRequests),
    tokens: prompt === null && completion === null ? null : (prompt ?? 0) + (completion ?? 0),
    costUsd: num(u.costUsd),
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
    bestSoFar: score(h.bestSoFar),
    bestId: bestIdAt(pool, iteration),
    ...usageFigures(h.usage),
    ms: ms(h.elapsedMs),
  };
}

function settingsOf(value: unknown): [string, string][] {
  return Object.entries(obj(value)).flatMap(([name, v]) =>
    typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? [[name, String(v)]] : [],
  ) as [string, string][];
}

function messagesOf(value: unknown): QueryDetail["messages"] {
  if (!Array.isArray(value)) return null;
  return value.map((turn) => {
    const t = obj(turn);
    return { role: text(t.role) ?? "?", content: text(t.content) ?? "" };
  });
}

/** Settings shared by index: a batch has a few sets of settings for thousands of records. */
class SettingsTable {
  readonly sets: [string, string][][] = [];
  private readonly index = new Map<string, number>();

  add(settings: [string, string][]): number {
    const key = JSON.stringify(settings);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.sets.push(settings) - 1;
      this.index.set(key, i);
    }
    return i;
  }
}

/** A record as the report's table row and its query page show it. */
export function queryDataOf(
  record: BatchRecord,
  settingsTable = new SettingsTable(),
): { row: QueryRow; detail: QueryDetail } {
  const r = obj(record);
  const pool = list(r.pool).flatMap((c) => candidateOf(c) ?? []);
  const history = list(r.history)
    .flatMap((h) => iterationOf(h, pool) ?? [])
    .sort((x, y) => x.iteration - y.iteration);
  const best = obj(r.best);
  const answerText = text(best.text);
  const answerScore = score(best.score);
  const iteration = num(best.iteration);
  const inPool = answerText === null ? -1 : pool.findIndex((c) => c.text === answerText);
  const answer: QueryDetail["answer"] =
    answerText === null
      ? null
      : inPool >= 0
        ? { pool: inPool, score: answerScore, iteration }
        : { text: answerText, score: answerScore, iteration };
  const first = history.find((h) => h.iteration === 0)?.bestSoFar ?? null;
  const settings = obj(r.settings);
  const error = obj(r.error);
  const errorText = text(error.message);
  const step = text(error.step);
  const messages = messagesOf(r.messages);
  const lastTurn = messages?.filter((m) => m.role === "user").at(-1)?.content ?? null;
  const usage = usageFigures(r.usage);
  return {
    row: {
      id: text(r.id) ?? "",
      mode: text(r.mode) ?? "-",
      query: text(r.query) ?? lastTurn,
      first,
      best: answerText === null ? null : answerScore,
      gain:
        first !== null && answerText !== null && answerScore !== null
          ? Math.round((answerScore - first) * 1e4) / 1e4
          : null,
      bestIteration: answerText === null ? null : iteration,
      stopReason: text(r.stopReason),
      ...usage,
      error: errorText === null ? null : step ? `${errorText} (step ${step})` : errorText,
    },
    detail: {
      messages,
      settings: settingsTable.add(settingsOf(settings)),
      stoppedAt: num(r.stoppedAt),
      ms: ms(r.elapsedMs),
      answer,
      history,
      pool,
    },
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

/** Stories per compressed chunk: a chunk of simulated stories is about 1 MB, inflated in a blink. */
export const STORIES_PER_CHUNK = 200;

/** Everything the page's script shows: the table's rows, and each query's story. */
export function reportDataOf(
  records: readonly BatchRecord[],
  comparisons: ComparisonData[],
): { rows: ReportRows; stories: QueryDetail[] } {
  const settings = new SettingsTable();
  const rows: QueryRow[] = [];
  const stories: QueryDetail[] = [];
  for (const record of records) {
    const { row, detail } = queryDataOf(record, settings);
    rows.push(row);
    stories.push(detail);
  }
  return {
    rows: { queries: rows, comparisons, settings: settings.sets, storiesPerChunk: STORIES_PER_CHUNK },
    stories,
  };
}
