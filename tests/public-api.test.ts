/**
 * The public API is a curated list: every name exported is a promise kept across releases, so a
 * change to it must be a deliberate, reviewed change of this list (and a CHANGELOG line).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/core.js";
import * as main from "../src/index.js";
import * as langchain from "../src/langchain.js";
import { ROOT } from "./helpers/cli.js";

const CORE_VALUES = [
  "DEFAULT_PROMPTS",
  "ModelRequestError",
  "RewardModelError",
  "RewardRequestError",
  "TpoChatModel",
  "TpoConfigError",
  "TpoError",
  "TpoInputError",
  "TpoSettingsError",
  "TpoState",
  "TpoStepError",
  "compileTpoGraph",
  "createFunctionRewardModel",
  "createHttpRewardModel",
  "createJudgeRewardModel",
  "createTpoGraph",
  "createTpoGraphBuilder",
  "createTpoNode",
  "createTpoTool",
  "ensureContext",
  "makeCritiqueNode",
  "makeDecideNode",
  "makeFinalizeNode",
  "makeGenerateNode",
  "makeGradientNode",
  "makeHumanRewardNode",
  "makeRewardNode",
  "makeSelectNode",
  "makeUpdateNode",
  "parseTpoContext",
  "preset",
  "runTpo",
  "runTpoToEnd",
  "stopReasonOf",
  "tpoMetadataOf",
];

const MAIN_ONLY_VALUES = [
  "TpoCacheError",
  "TpoChatOpenAI",
  "openTpoCache",
  "createOpenAIChatModel",
  "createSimWorld",
  "modelsFromEnv",
  "startSimServer",
  "startTpoServer",
  // Results and comparisons (src/eval/).
  "BatchRecordSchema",
  "InvalidVerdictError",
  "TpoFileError",
  "answersOf",
  "createPairwiseJudge",
  "judgePair",
  "matchPairs",
  "readLatestRecords",
  "summarizeJudgments",
  "summarizeResults",
  // leaderboard scoring (`tpo eval score`)
  "EvalInputError",
  "arenaHardScores",
  "lengthControlledWinRate",
  "readAnnotations",
  "readGamedBaselines",
  "readJudgments",
  "styleControlledScores",
  "winRate",
  "tpoEvaluators",
  "tpoTarget",
];

const TYPES = [
  "BatchRecord",
  "BatchSummary",
  "Candidate",
  "CompareSummary",
  "HistoryRecord",
  "HumanRewardRequest",
  "Judgment",
  "PairwiseJudge",
  "RewardItem",
  "RewardModel",
  "RolePrices",
  "RunEvent",
  "Side",
  "TpoContext",
  "TpoContextInput",
  "TpoGraph",
  "TpoGraphOptions",
  "TpoNode",
  "TpoNodeName",
  "TpoPromptOverrides",
  "TpoRunOptions",
  "TpoRunResult",
  "TpoStateType",
  // leaderboard scoring
  "Annotations",
  "AnswerMetadata",
  "ArenaHardScore",
  "Battle",
  "LengthControlledWinRate",
  "WinRate",
];

/** The type-only names an entry file exports: `export type { A, B } from …`. */
function exportedTypes(file: string): string[] {
  const text = readFileSync(join(ROOT, "src", file), "utf8");
  return [...text.matchAll(/export type \{([^}]*)\}/g)]
    .flatMap((m) => m[1].split(","))
    .map((name) => name.trim())
    .filter(Boolean);
}

/** langgraph-tpo/langchain: what needs LangChain 1 (`langchain`), an optional peer dependency. */
const LANGCHAIN_VALUES = ["tpoMiddleware"];
const LANGCHAIN_TYPES = ["TpoAgentState", "TpoMiddlewareOptions"];

describe("the public API", () => {
  it("langgraph-tpo/core exports exactly the curated names", () => {
    expect(Object.keys(core).sort()).toEqual([...CORE_VALUES].sort());
  });

  it("langgraph-tpo exports the core and the parts that load more, nothing else", () => {
    expect(Object.keys(main).sort()).toEqual([...CORE_VALUES, ...MAIN_ONLY_VALUES].sort());
  });

  it("exports the curated types, and about 92 names in all", () => {
    expect([...exportedTypes("core.ts"), ...exportedTypes("index.ts")].sort()).toEqual([...TYPES].sort());
    // 60 before issue 30's leaderboard scoring (14 names), issue 29's results and comparisons (16),
    // issue 31's cache and prices (openTpoCache, TpoCacheError, RolePrices) and issue 32's tpoTarget, tpoEvaluators.
    expect(CORE_VALUES.length + MAIN_ONLY_VALUES.length + TYPES.length).toBeLessThanOrEqual(92);
  });

  it("langgraph-tpo/langchain exports the middleware, and neither other entry loads langchain", () => {
    expect(Object.keys(langchain).sort()).toEqual(LANGCHAIN_VALUES);
    expect(exportedTypes("langchain.ts").sort()).toEqual(LANGCHAIN_TYPES);
    for (const name of LANGCHAIN_VALUES) expect(name in main).toBe(false);
  });
});
