/**
 * What `tpo report` embeds in its page, once, in two blocks: the rows of the queries table first,
 * as JSON (small: the table is usable as soon as they are read), then each query's story, as
 * compressed chunks of JSON lines, of which the browser inflates the one a query's page needs.
 * Built by the CLI from a results file with every field checked (text is a string or null, a
 * number is finite or null); read by the page's script.
 */
export interface ReportRows {
  queries: QueryRow[];
  /** The `--compare` files: who judged which pair of sides, and each pair's verdicts. */
  comparisons: ComparisonData[];
  /** Run settings as name and value; the stories refer to them by index (a batch has few). */
  settings: [string, string][][];
  /** Stories per compressed chunk of the stories block. */
  storiesPerChunk: number;
}

/** A query result as its row of the table shows it (and search finds it). */
export interface QueryRow {
  id: string;
  mode: string;
  /** The query, or the last user turn of a conversation; null when the input line was unreadable. */
  query: string | null;
  /** The best of the first samples. */
  first: number | null;
  /** The answer's score. */
  best: number | null;
  /** best − first. */
  gain: number | null;
  /** The iteration that wrote the answer. */
  bestIteration: number | null;
  stopReason: string | null;
  requests: number | null;
  tokens: number | null;
  /** US dollars, when the query was run with prices. */
  costUsd: number | null;
  error: string | null;
}

export interface QueryDetail {
  /** A conversation, when the input gave one: role and text of each turn. */
  messages: { role: string; content: string }[] | null;
  /** Index into {@link ReportRows.settings}. */
  settings: number;
  stoppedAt: number | null;
  ms: number | null;
  /** The answer: a candidate of the pool (its index), or its own text when the pool does not have it. */
  answer:
    | { pool: number; score: number | null; iteration: number | null }
    | { text: string; score: number | null; iteration: number | null }
    | null;
  history: IterationData[];
  pool: CandidateData[];
}

/** A candidate response as the pages show it. */
export interface CandidateData {
  id: string;
  text: string;
  /** null: never scored (a rewrite kept whole without tags, a judge's pick without a score). */
  score: number | null;
  iteration: number;
  origin: string;
}

export interface IterationData {
  iteration: number;
  /** The pair this iteration started from (ids of pool candidates); null for iteration 0. */
  chosen: string | null;
  rejected: string | null;
  critique: string | null;
  gradient: string | null;
  /** New candidates after merging identical texts. */
  candidates: number;
  /** Update outputs without the response tags: dropped, or kept whole (the query's settings say which). */
  untagged: number;
  failures: number;
  bestSoFar: number | null;
  /** The pool's best once this iteration was scored (a candidate id), as select saw it. */
  bestId: string | null;
  requests: number | null;
  tokens: number | null;
  /** US dollars, when the query was run with prices. */
  costUsd: number | null;
  ms: number | null;
}

/** One game of a judged pair: which side was shown first, the positional verdict, who it favours. */
export interface GameData {
  shownFirst: string;
  verdict: string;
  winner: string;
  rationale: string;
}

/** A pair judged in both orders: the query's id, the outcome for side a, and the two games. */
export interface JudgmentData {
  id: string;
  outcome: string;
  games: GameData[];
}

export interface ComparisonData {
  a: string;
  b: string;
  judge: string;
  source: string;
  judgments: JudgmentData[];
}

/** The ids of the page's data blocks. */
export const REPORT_ROWS_ID = "tpo-report-rows";
export const REPORT_DETAILS_ID = "tpo-report-details";

/**
 * The stories block before compression: chunks of `perChunk` stories in the rows' order, each
 * chunk JSON lines (one {@link QueryDetail} a line). A chunk is compressed on its own, so that
 * opening a query inflates a few hundred kilobytes, not the whole batch.
 */
export function storyChunks(stories: readonly QueryDetail[], perChunk: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < stories.length; start += perChunk) {
    chunks.push(
      stories
        .slice(start, start + perChunk)
        .map((q) => JSON.stringify(q))
        .join("\n"),
    );
  }
  return chunks;
}

const TEXT_FIELDS = ["query", "mode", "stopReason", "error"] as const;
const NUMBER_FIELDS = ["first", "best", "gain", "bestIteration", "requests", "tokens", "costUsd"] as const;

/**
 * The rows block as the page holds it: a column per field rather than an object per row, and each
 * distinct text (a query asked in three modes, a mode, a stop reason) once: a fifth of the bytes
 * of 10,000 row objects, and as much less for the browser to read before the table works.
 */
export interface RowsBlock {
  ids: string[];
  /** Distinct texts; a text column holds indices into it, -1 for none. */
  texts: string[];
  text: Record<(typeof TEXT_FIELDS)[number], number[]>;
  numbers: Record<(typeof NUMBER_FIELDS)[number], (number | null)[]>;
  comparisons: ComparisonData[];
  settings: [string, string][][];
  storiesPerChunk: number;
}

export function encodeRows(rows: ReportRows): RowsBlock {
  const texts: string[] = [];
  const index = new Map<string, number>();
  const intern = (value: string | null): number => {
    if (value === null) return -1;
    let i = index.get(value);
    if (i === undefined) {
      i = texts.push(value) - 1;
      index.set(value, i);
    }
    return i;
  };
  const q = rows.queries;
  const text = Object.fromEntries(TEXT_FIELDS.map((f) => [f, q.map((r) => intern(r[f]))]));
  const numbers = Object.fromEntries(NUMBER_FIELDS.map((f) => [f, q.map((r) => r[f])]));
  return {
    ids: q.map((r) => r.id),
    texts,
    text: text as RowsBlock["text"],
    numbers: numbers as RowsBlock["numbers"],
    comparisons: rows.comparisons,
    settings: rows.settings,
    storiesPerChunk: rows.storiesPerChunk,
  };
}

export function decodeRows(block: RowsBlock): ReportRows {
  const text = (field: (typeof TEXT_FIELDS)[number], i: number) => {
    const at = block.text[field][i];
    return at >= 0 ? block.texts[at] : null;
  };
  const queries = block.ids.map((id, i): QueryRow => ({
    id,
    mode: text("mode", i) ?? "-",
    query: text("query", i),
    stopReason: text("stopReason", i),
    error: text("error", i),
    first: block.numbers.first[i],
    best: block.numbers.best[i],
    gain: block.numbers.gain[i],
    bestIteration: block.numbers.bestIteration[i],
    requests: block.numbers.requests[i],
    tokens: block.numbers.tokens[i],
    costUsd: block.numbers.costUsd?.[i] ?? null,
  }));
  return {
    queries,
    comparisons: block.comparisons,
    settings: block.settings,
    storiesPerChunk: block.storiesPerChunk,
  };
}
