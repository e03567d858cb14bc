import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { CallbackManager, type CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";

/**
 * LangChain's run managers keep what a child run inherits (handlers, tags, metadata) in the
 * protected `inheritableHandlers`, `inheritableTags` and `inheritableMetadata`; a chain run's
 * `getChild()` reads them, an LLM run manager has no `getChild()`.
 *
 * Pinned by tests/compat-llm-run-child-callbacks.test.ts.
 */
interface Inheritable {
  inheritableHandlers: BaseCallbackHandler[];
  inheritableTags: string[];
  inheritableMetadata: Record<string, unknown>;
}

function inheritableOf(runManager: CallbackManagerForLLMRun): Inheritable {
  const parent = runManager as unknown as Partial<Inheritable>;
  if (!Array.isArray(parent.inheritableHandlers) || !Array.isArray(parent.inheritableTags)) {
    throw new TypeError(
      "This version of @langchain/core keeps no inheritableHandlers/inheritableTags on run managers: " +
        "src/compat/llm-run-child-callbacks.ts needs updating.",
    );
  }
  return { inheritableMetadata: {}, ...parent } as Inheritable;
}

export interface ChildCallbackOptions {
  /** Handlers, by name, that the child runs do not get (e.g. a calling graph's stream handlers). */
  dropHandlers?: ReadonlySet<string>;
  /** Tags of the child runs, on top of the inherited ones. */
  tags?: string[];
}

/**
 * Callbacks for runs started inside an LLM run, traced as its children: the same as a chain run's
 * `getChild()`, less the handlers named in `dropHandlers`, plus `tags`.
 */
export function llmRunChildCallbacks(
  runManager: CallbackManagerForLLMRun,
  { dropHandlers = new Set(), tags = [] }: ChildCallbackOptions = {},
): CallbackManager {
  const parent = inheritableOf(runManager);
  const manager = new CallbackManager(runManager.runId);
  manager.setHandlers(parent.inheritableHandlers.filter((h) => !dropHandlers.has(h.name)));
  manager.addTags(parent.inheritableTags);
  manager.addMetadata(parent.inheritableMetadata);
  if (tags.length > 0) manager.addTags(tags);
  return manager;
}
