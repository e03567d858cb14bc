import type { BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { contentText } from "../messages/conversation.js";
import { ROUTING_KEY_METADATA, routingKeyFor } from "../models/pool/routing-key.js";
import type { TpoContext } from "../settings/run-settings.js";
import type { TpoStage } from "./contract.js";

/**
 * The query's routing key, the same for every request of a run: the thread's id when the run has
 * one, else the conversation up to its first user turn, so that the later turns of a conversation
 * go where its first ones went (that server's prefix cache holds them).
 */
export function routingKeyOfRun(
  runtime: LangGraphRunnableConfig,
  conversation: readonly BaseMessage[],
): string {
  const thread = runtime.configurable?.thread_id;
  if (typeof thread === "string" || typeof thread === "number") return routingKeyFor(`thread\u0000${thread}`);
  const first = conversation.findIndex((message) => message.getType() === "human");
  const opening = conversation.slice(0, first < 0 ? conversation.length : first + 1);
  return routingKeyFor(
    `query\u0000${opening.map((m) => `${m.getType()}\u0000${contentText(m.content)}`).join("\u0000")}`,
  );
}

/**
 * The config for a model call inside a node: the node's callbacks and signal, plus metadata and a
 * tag that say which TPO stage and iteration the call belongs to, and the query's routing key
 * (which keeps its requests on one server of a pool, see src/models/pool).
 */
export function stageConfig(
  runtime: LangGraphRunnableConfig,
  stage: TpoStage,
  iteration: number,
  ctx: TpoContext,
  conversation: readonly BaseMessage[],
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
      [ROUTING_KEY_METADATA]: routingKeyOfRun(runtime, conversation),
    },
  };
}
