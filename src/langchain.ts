// langgraph-tpo/langchain: TPO for LangChain 1's `createAgent`. The one entry that loads `langchain`
// (an optional peer dependency), so that the others work without it; tests/public-api.test.ts lists its names.
export { tpoMiddleware } from "./adapters/tpo-middleware.js";
export type { TpoAgentState, TpoMiddlewareOptions } from "./adapters/tpo-middleware.js";
