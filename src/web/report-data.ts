/**
 * What `tpo report` embeds in its page, once, as JSON: one row per query result for the table, and
 * the detail its page shows. Built by the CLI from a results file (every field checked there: text
 * is a string or null, a number is finite or null), read by the page's script.
 */
export interface ReportData {
  queries: QueryData[];
  /** The `--compare` files: who judged which pair of sides, and each pair's verdicts by query id. */
  comparisons: ComparisonData[];
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

export interface QueryData {
  id: string;
  mode: string;
  query: string | null;
  /** A conversation, when the input gave one: role and text of each turn. */
  messages: { role: string; content: string }[] | null;
  /** The best of the first samples. */
  first: number | null;
  best: number | null;
  /** best − first. */
  gain: number | null;
  /** The iteration that wrote the answer. */
  bestIteration: number | null;
  stopReason: string | null;
  stoppedAt: number | null;
  requests: number | null;
  tokens: number | null;
  ms: number | null;
  error: string | null;
  /** The run settings worth showing (width, depth, …), as name and value. */
  settings: [string, string][];
  untaggedRewrites: string | null;
  answer: CandidateData | null;
  history: IterationData[];
  pool: CandidateData[];
}

/** One game of a judged pair: which side was shown first, the positional verdict, who it favours. */
export interface GameData {
  shownFirst: string;
  verdict: string;
  winner: string;
  rationale: string;
}

export interface ComparisonData {
  a: string;
  b: string;
  judge: string;
  source: string;
  judgments: JudgmentData[];
}

/** A pair judged in both orders: the query's id, the outcome for side a, and the two games. */
export interface JudgmentData {
  id: string;
  outcome: string;
  games: GameData[];
}

/** The id of the page's JSON block. */
export const REPORT_DATA_ID = "tpo-report-data";
