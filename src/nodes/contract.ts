import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { TpoModels } from "../models/tpo-models.js";
import type { ModelCaches } from "../models/model-caches.js";
import type { TpoPrompts } from "../prompts/index.js";
import type { TpoContextInput } from "../settings/run-settings.js";
import type { TpoStateType, TpoUpdate } from "../state/state.js";

/** What the built-in nodes are given at build time: the models and the prompt templates. */
export interface TpoNodeDeps extends TpoModels {
  prompts: TpoPrompts;
  /** A persistent cache of responses and scores (docs/cache.md); none: every request is sent. */
  modelCache?: ModelCaches;
}

export type TpoNodeName =
  "generate" | "reward" | "select" | "decide" | "critique" | "gradient" | "update" | "finalize";

export type TpoStage = "generate" | "reward" | "critique" | "gradient" | "update";

/**
 * A node: reads state and run settings, returns a state update. The run settings arrive as the
 * caller gave them (LangGraph checks them but passes them on unparsed): `ensureContext(runtime)`
 * fills the defaults.
 */
export type TpoNode = (
  state: TpoStateType,
  runtime: LangGraphRunnableConfig<TpoContextInput>,
) => TpoUpdate | Promise<TpoUpdate>;
