import { CallbackManager, type Callbacks } from "@langchain/core/callbacks/manager";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { CALLER_STREAM_HANDLERS } from "../compat/caller-stream-handlers.js";

/** The tag LangGraph's "messages" stream mode skips: the model calls inside TPO are not the answer. */
export const NO_STREAM_TAG = "langsmith:nostream";

/**
 * A caller's callbacks for the runs inside TPO: its tracers and handlers, under the caller's run,
 * without its graph's stream-mode handlers, tagged so that its "messages" stream skips them.
 */
export function isolatedCallbacks(callbacks: Callbacks | undefined): Callbacks | undefined {
  if (!(callbacks instanceof CallbackManager)) return callbacks;
  const manager = callbacks.copy();
  for (const handler of [...manager.handlers]) {
    if (CALLER_STREAM_HANDLERS.has(handler.name)) manager.removeHandler(handler);
  }
  manager.addTags([NO_STREAM_TAG]);
  return manager;
}

/**
 * Runs `fn` with only these callbacks in scope: LangGraph would otherwise pick up a calling
 * graph's config from async-local storage and nest the run (checkpoints, streams) inside that graph.
 */
export function runIsolated<T>(callbacks: Callbacks | undefined, fn: () => Promise<T>): Promise<T> {
  return AsyncLocalStorageProviderSingleton.runWithConfig({ callbacks }, fn, true);
}
