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
