import type { Callbacks } from "@langchain/core/callbacks/manager";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";

/**
 * LangChain's `createAgent` runs the hooks of its model node, `wrapModelCall` among them, inside
 * `AsyncLocalStorageProviderSingleton.runWithConfig` with the node's config (langchain 1.1 to 1.5,
 * the versions tried); its docs do not say so, and a hook's `runtime` carries no callbacks. Without
 * it, a run that a hook starts would be traced apart from the agent.
 *
 * Pinned by tests/compat-agent-hook-callbacks.test.ts.
 */
export function agentHookCallbacks(): Callbacks | undefined {
  const config = AsyncLocalStorageProviderSingleton.getRunnableConfig() as
    { callbacks?: Callbacks } | undefined;
  return config?.callbacks;
}
