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
