// The public API of langgraph-tpo, and nothing else: the core, and the parts that load more
// (the OpenAI client, the environment, the server, the simulated world).
export * from "./core.js";

// Models: policy and critic, reward models, settings from the environment.
export {
  loadModels,
  loadRewardModel,
  modelSettingsFromEnv,
  modelsFromEnv,
  CONFIGURE_MODELS_HELP,
} from "./from-env/models-from-env.js";
export type { ModelSettings } from "./from-env/models-from-env.js";
export type { OpenAIServerSettings } from "./models/chat/openai.js";
export { createOpenAIChatModel, TpoChatOpenAI } from "./models/chat/openai.js";
export type { TpoChatOpenAIFields, TpoChatOpenAICallOptions } from "./models/chat/openai.js";

// Embedding as an OpenAI-compatible server.
export { startTpoServer } from "./server/openai-server.js";
export type { TpoServerOptions, TpoServerHandle } from "./server/openai-server.js";
export type { TpoCompletionExtra } from "./server/completion.js";

// The simulated world.
export { SimChatModel, SimRewardModel, createSimWorld } from "./sim/index.js";
export { startSimServer, SimServerStats } from "./sim/server.js";
export type {
  SimServer,
  SimServerOptions,
  SimFault,
  SimFaultRule,
  SimLatency,
  SimRequest,
} from "./sim/server.js";
