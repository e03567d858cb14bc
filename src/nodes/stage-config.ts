import type { RunnableConfig } from "@langchain/core/runnables";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { TpoContext } from "../settings/run-settings.js";
import type { TpoStage } from "./contract.js";

/**
 * The config for a model call inside a node: the node's callbacks and signal, plus metadata and a
 * tag that say which TPO stage and iteration the call belongs to.
 */
export function stageConfig(
  runtime: LangGraphRunnableConfig,
  stage: TpoStage,
  iteration: number,
  ctx: TpoContext,
): RunnableConfig {
  return {
    callbacks: runtime.callbacks,
    signal: runtime.signal,
    tags: [`tpo:iteration:${iteration}`, `tpo:${stage}`],
    metadata: {
      tpo_iteration: iteration,
      tpo_stage: stage,
      tpo_mode: ctx.mode,
      tpo_width: ctx.width,
      tpo_depth: ctx.depth,
    },
  };
}
