// The public API of langgraph-tpo: the core, and the parts that load more (the OpenAI client, the
// environment, the simulated world, the server). tests/public-api.test.ts lists every name.
export * from "./core.js";

// Models: the OpenAI-compatible policy and critic, and every model from the environment.
export { createOpenAIChatModel, TpoChatOpenAI } from "./models/chat/openai.js";
export { modelsFromEnv } from "./from-env/models-from-env.js";

// The simulated world: a deterministic policy and reward model, and its HTTP server.
export { createSimWorld } from "./sim/index.js";
export { startSimServer } from "./sim/server.js";

// TPO as an OpenAI-compatible server.
export { startTpoServer } from "./server/openai-server.js";

// LangSmith's evaluate() and evaluateComparative(): TPO as a target, and evaluators of its outputs.
export { tpoTarget, tpoEvaluators } from "./langsmith/evaluate.js";
