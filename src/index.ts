// The public API of langgraph-tpo: the core, and the parts that load more (the OpenAI client, the
// environment, the simulated world, the server). tests/public-api.test.ts lists every name.
export * from "./core.js";

// Models: the OpenAI-compatible policy and critic, and every model from the environment.
export { createOpenAIChatModel, TpoChatOpenAI } from "./models/chat/openai.js";
export { modelsFromEnv } from "./from-env/models-from-env.js";

// The simulated world: a deterministic policy and reward model, and its HTTP server.
export { createSimWorld } from "./sim/index.js";
export { startSimServer } from "./sim/server.js";

// The persistent cache of scores and seeded responses (better-sqlite3 or pg, loaded when opened).
export { openTpoCache } from "./cache/open-cache.js";
export { TpoCacheError } from "./errors.js";

// TPO as an OpenAI-compatible server.
export { startTpoServer } from "./server/openai-server.js";

// Results and comparisons: what `tpo batch` writes, read back, summarized, and two sides of it
// compared by a pairwise judge, as `tpo report` and `tpo compare` do (docs/library.md).
export { BatchRecordSchema } from "./eval/batch/record.js";
export { readLatestRecords } from "./eval/batch/results-file.js";
export { summarize as summarizeResults } from "./eval/batch/summary.js";
export { answersOf } from "./eval/compare/sides.js";
export { matchPairs } from "./eval/compare/pairs.js";
export { createPairwiseJudge, InvalidVerdictError } from "./eval/compare/judge.js";
export { judgePair } from "./eval/compare/judgment.js";
export { summarizeJudgments } from "./eval/compare/summary.js";
export { TpoFileError } from "./errors.js";
export type { BatchRecord } from "./eval/batch/record.js";
export type { BatchSummary } from "./eval/batch/summary.js";
export type { Side } from "./eval/compare/sides.js";
export type { PairwiseJudge } from "./eval/compare/judge.js";
export type { Judgment } from "./eval/compare/judgment.js";
export type { CompareSummary } from "./eval/compare/summary.js";
// Leaderboard scoring, as AlpacaEval's and Arena-Hard-Auto's own tools score (`tpo eval score`).
export { readAnnotations } from "./eval/alpaca-eval/annotations.js";
export { readGamedBaselines } from "./eval/alpaca-eval/gamed-baselines.js";
export { winRate } from "./eval/alpaca-eval/win-rate.js";
export { lengthControlledWinRate } from "./eval/alpaca-eval/length-controlled.js";
export { readJudgments } from "./eval/arena-hard/judgments.js";
export { arenaHardScores } from "./eval/arena-hard/scores.js";
export { styleControlledScores } from "./eval/arena-hard/style-control.js";
export { EvalInputError } from "./eval/input-error.js";
export type { Annotations } from "./eval/alpaca-eval/annotations.js";
export type { WinRate } from "./eval/alpaca-eval/win-rate.js";
export type { LengthControlledWinRate } from "./eval/alpaca-eval/length-controlled.js";
export type { Battle } from "./eval/arena-hard/judgments.js";
export type { ArenaHardScore } from "./eval/arena-hard/scores.js";
export type { AnswerMetadata } from "./eval/arena-hard/style-control.js";

// LangSmith's evaluate() and evaluateComparative(): TPO as a target, and evaluators of its outputs.
export { tpoTarget, tpoEvaluators } from "./langsmith/evaluate.js";
