import type { HistoryRecord, StopReason, Usage } from "../state/state.js";

/** What an experiment reads of a query's result: `tpo batch`'s record, or the part of it a results file keeps. */
export interface ExperimentRecord {
  id: string;
  mode: string | null;
  query: string | null;
  messages?: { role: string; content: string }[];
  best?: { text: string; score: number };
  history?: Pick<HistoryRecord, "iteration" | "bestSoFar">[];
  usage?: Usage;
  stopReason?: StopReason;
  settings?: object;
  models?: Record<string, string>;
  elapsedMs: number;
  error?: { message: string; step?: string };
  finishedAt: string;
}

/** One feedback score of a run: a number (`score`) or a label (`value`). */
export interface RunFeedback {
  key: string;
  score?: number;
  value?: string;
}

/** Feedback keys, as the experiment's columns show them. */
export const FEEDBACK_KEYS = {
  reward: "reward",
  firstReward: "first_samples_reward",
  gain: "reward_gain",
  iterations: "iterations",
  stopReason: "stop_reason",
  tokens: "tokens",
  cost: "cost_usd",
} as const;

/** The run's cost in USD, present only when prices were given. */
function costOf(usage: Usage): number | undefined {
  return (usage as Usage & { costUsd?: number }).costUsd;
}

/**
 * The feedback of a finished run: the final reward, the first samples' best reward (iteration 0),
 * the gain between them, the iterations run, why it stopped, the tokens, and the cost when the
 * run was priced. A failed run has none.
 */
export function feedbackOf(record: ExperimentRecord): RunFeedback[] {
  const { best, history, usage } = record;
  if (record.error || !best || !history || !usage) return [];
  const first = history.find((h) => h.iteration === 0)?.bestSoFar ?? null;
  const last = history.reduce((most, h) => Math.max(most, h.iteration), 0);
  return [
    { key: FEEDBACK_KEYS.reward, score: best.score },
    ...(first === null
      ? []
      : [
          { key: FEEDBACK_KEYS.firstReward, score: first },
          { key: FEEDBACK_KEYS.gain, score: best.score - first },
        ]),
    { key: FEEDBACK_KEYS.iterations, score: last },
    ...(record.stopReason ? [{ key: FEEDBACK_KEYS.stopReason, value: record.stopReason }] : []),
    { key: FEEDBACK_KEYS.tokens, score: usage.promptTokens + usage.completionTokens },
    ...(typeof costOf(usage) === "number" ? [{ key: FEEDBACK_KEYS.cost, score: costOf(usage)! }] : []),
  ];
}

/** The example's inputs of a query: its conversation when it had one, else its text. */
export function inputsOf(record: Pick<ExperimentRecord, "query" | "messages">): Record<string, unknown> {
  return record.messages ? { messages: record.messages } : { query: record.query };
}
