// The public API without the OpenAI client, the environment, the simulated world or the server:
// `import … from "langgraph-tpo/core"` loads neither @langchain/openai nor the simulator.
// Every name here is a promise kept across releases; tests/public-api.test.ts lists them.

// Building the graph: the builder, its state and run settings.
export { createTpoGraph, createTpoGraphBuilder, compileTpoGraph } from "./graph/builder.js";
export type { TpoGraph, TpoGraphOptions } from "./graph/builder.js";
export { TpoState } from "./state/state.js";
export type { Candidate, HistoryRecord, TpoStateType } from "./state/state.js";
export { parseTpoContext, ensureContext } from "./settings/run-settings.js";
export type { TpoContext, TpoContextInput } from "./settings/run-settings.js";
export { preset } from "./settings/presets.js";
export type { TpoPromptOverrides } from "./prompts/index.js";
export { DEFAULT_PROMPTS } from "./prompts/index.js";

// Nodes, as factories: to replace one node of the graph, or to wrap it.
export type { TpoNode, TpoNodeName } from "./nodes/contract.js";
export { makeGenerateNode } from "./nodes/generate.js";
export { makeRewardNode } from "./nodes/reward.js";
export { makeSelectNode } from "./nodes/select.js";
export { makeDecideNode, stopReasonOf } from "./nodes/decide.js";
export { makeCritiqueNode } from "./nodes/critique.js";
export { makeGradientNode } from "./nodes/gradient.js";
export { makeUpdateNode } from "./nodes/update.js";
export { makeFinalizeNode } from "./nodes/finalize.js";
export { makeHumanRewardNode } from "./nodes/human-reward.js";
export type { HumanRewardRequest } from "./nodes/human-judgement.js";

// Running a query: typed events, resume from a checkpoint, the step that failed.
export { runTpo, runTpoToEnd } from "./run/index.js";
export type { RunEvent, TpoRunOptions, TpoRunResult } from "./run/index.js";

// Reward models that need no OpenAI client.
export type { RewardItem, RewardModel } from "./models/reward/reward-model.js";
export { createHttpRewardModel } from "./models/reward/http-reward.js";
export { createJudgeRewardModel } from "./models/reward/judge-reward.js";
export { createFunctionRewardModel } from "./models/reward/function-reward.js";

// Prices of the models: with them, the usage says what a run cost in US dollars (docs/cost.md).
export type { RolePrices } from "./models/prices.js";

// TPO inside other code: as a node of a parent graph, as a chat model, as an agent's tool.
export { createTpoNode } from "./adapters/subgraph.js";
export { TpoChatModel } from "./adapters/tpo-chat-model.js";
export { createTpoTool } from "./adapters/tpo-tool.js";
export { tpoMetadataOf } from "./adapters/answer.js";

// Errors.
export {
  TpoError,
  TpoInputError,
  TpoSettingsError,
  TpoConfigError,
  TpoStepError,
  ModelRequestError,
  RewardModelError,
  RewardRequestError,
} from "./errors.js";
