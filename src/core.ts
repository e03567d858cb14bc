// The library without the OpenAI client, the environment, the simulated world or the server:
// `import … from "langgraph-tpo/core"` loads neither @langchain/openai nor the simulator.

// The graph: builder, state, run settings, routing, events.
export {
  compileTpoGraph,
  createTpoGraph,
  createTpoGraphBuilder,
  TPO_RECURSION_LIMIT,
} from "./graph/builder.js";
export type { TpoCompileOptions, TpoGraph, TpoGraphBuilder, TpoGraphOptions } from "./graph/builder.js";
export { TpoContextSchema, ensureContext, parseTpoContext, MAX_DEPTH } from "./settings/run-settings.js";
export type { TpoContext, TpoContextInput, TpoMode } from "./settings/run-settings.js";
export { promptsForRun, promptFieldName } from "./settings/prompt-fields.js";
export { preset, TPO_PRESETS, TPO_PRESET_NAMES, REFERENCE_SYSTEM_PROMPT } from "./settings/presets.js";
export type { TpoPresetName } from "./settings/presets.js";
export { TpoState, TpoInputSchema, awaitsJudgement, makeCandidate } from "./state/state.js";
export type {
  BestResponse,
  Candidate,
  CandidateOrigin,
  HistoryPatch,
  HistoryRecord,
  ScoreStats,
  StopReason,
  TpoInput,
  TpoStateType,
  TpoUpdate,
  Usage,
} from "./state/state.js";
export type { TpoNodeDeps, TpoNode, TpoNodeName, TpoStage } from "./nodes/contract.js";
export type { TpoModels } from "./models/tpo-models.js";
export { routeAfterDecide } from "./graph/routing.js";
export { emit, isTpoEvent, TPO_EVENT_TYPES } from "./state/events.js";
export type {
  TpoEvent,
  TpoEventType,
  IterationStartedEvent,
  CandidatesScoredEvent,
  IterationFinishedEvent,
  RunFinishedEvent,
  RunStoppedEvent,
} from "./state/events.js";
export { withProgressEvents } from "./graph/progress-events.js";
export { withNodeRecords } from "./graph/node-records.js";

// The nodes, as factories to wrap or compose.
export { makeGenerateNode } from "./nodes/generate.js";
export { makeRewardNode } from "./nodes/reward.js";
export { makeSelectNode } from "./nodes/select.js";
export { makeDecideNode, stopReasonOf } from "./nodes/decide.js";
export { makeCritiqueNode } from "./nodes/critique.js";
export { makeGradientNode } from "./nodes/gradient.js";
export { makeUpdateNode } from "./nodes/update.js";
export { makeFinalizeNode } from "./nodes/finalize.js";
export { makeHumanRewardNode } from "./nodes/human-reward.js";
export { parseHumanJudgement, HUMAN_REWARD_INSTRUCTIONS } from "./nodes/human-judgement.js";
export type { HumanRewardRequest, HumanJudgement } from "./nodes/human-judgement.js";

// Prompts, as data.
export {
  DEFAULT_PROMPTS,
  CRITIQUE_PROMPT,
  REVISION_CRITIQUE_PROMPT,
  GRADIENT_PROMPT,
  REVISION_GRADIENT_PROMPT,
  UPDATE_PROMPT,
  REVISION_UPDATE_PROMPT,
  UPDATE_TAGS,
} from "./prompts/index.js";
export type { PromptTemplate, TpoPrompts, TpoPromptOverrides } from "./prompts/index.js";
export { JUDGE_PROMPT, JUDGE_CRITERIA } from "./prompts/judge.js";

// Models: policy and critic, reward models, settings from the environment.
export { DEFAULT_RETRY_POLICY } from "./http/retry.js";
export type { RetryPolicy } from "./http/retry.js";
export type {
  SamplingCallOptions,
  SamplingMethod,
  SampleResult,
  SampleOptions,
} from "./models/chat/sample-responses.js";
export { SAMPLING_CALL_KEYS, type SamplingSetting } from "./models/chat/sampling-call-options.js";
export type { RewardItem, RewardModel } from "./models/reward/reward-model.js";
export { createHttpRewardModel } from "./models/reward/http-reward.js";
export type { HttpRewardModel, HttpRewardModelOptions } from "./models/reward/http-reward.js";
export { HTTP_REWARD_KINDS } from "./models/reward/reward-kinds.js";
export type { HttpRewardKind } from "./models/reward/reward-kinds.js";
export {
  LLAMA3_CHAT_TEMPLATE,
  TULU_CHAT_TEMPLATE,
  CHATML_CHAT_TEMPLATE,
  CHAT_TEMPLATES,
} from "./models/reward/chat-template.js";
export type {
  ChatTemplate,
  ChatTemplateName,
  ChatTemplateOption,
  ChatTurn,
} from "./models/reward/chat-template.js";
export { resolveChatTemplate, parseChatTemplateJson } from "./models/reward/reward-template.js";
export { createJudgeRewardModel, JudgeVerdictSchema } from "./models/reward/judge-reward.js";
export type { JudgeRewardModelOptions, JudgeCriterion, JudgeVerdict } from "./models/reward/judge-reward.js";
export { createFunctionRewardModel } from "./models/reward/function-reward.js";
export type { RewardFunction, FunctionRewardModelOptions } from "./models/reward/function-reward.js";
export { traceRewardModel, REWARD_RUN_NAME } from "./models/reward/traced-reward-model.js";

// Embedding: as a subgraph node, as a chat model, as an OpenAI-compatible server.
export { createTpoNode, tpoSettingsOf } from "./adapters/subgraph.js";
export type { TpoNodeOptions, TpoNodeState } from "./adapters/subgraph.js";
export { answerMessageOf, tpoMetadataOf } from "./adapters/answer.js";
export type { TpoResponseMetadata } from "./adapters/answer.js";
export { TpoChatModel } from "./adapters/tpo-chat-model.js";
export type { TpoChatModelParams, TpoChatModelCallOptions } from "./adapters/tpo-chat-model.js";
export { TPO_PROGRESS_MODES } from "./adapters/progress-reasoning.js";
export type { TpoProgressMode, TpoCallSettings } from "./adapters/progress-reasoning.js";

// Errors.
export {
  TpoError,
  TpoInputError,
  TpoSettingsError,
  TpoConfigError,
  TpoUnsupportedError,
  RewardModelError,
  RewardRequestError,
  RewardLabelError,
  HttpRequestError,
  ModelRequestError,
} from "./errors.js";
