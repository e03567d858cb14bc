import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { answerMessageOf } from "./answer.js";
import { createTpoGraph, type TpoGraph, type TpoGraphOptions } from "../graph/builder.js";
import { parseTpoContext, TpoContextSchema, type TpoContextInput } from "../settings/run-settings.js";

/** The models (and nodes, prompts) of a TPO graph to build, or a compiled TPO graph to run. */
export type TpoNodeOptions = (TpoGraphOptions | { graph: TpoGraph }) & {
  /** Run settings of this node; a run's `context` overrides them field by field. */
  settings?: TpoContextInput;
};

/** What the node reads from, and writes to, the parent's state (a `MessagesAnnotation` state fits). */
export interface TpoNodeState {
  messages: BaseMessage[];
}

const TPO_SETTING_KEYS = Object.keys(TpoContextSchema.shape) as (keyof TpoContextInput)[];

/** The TPO settings among a parent run's context, which may hold the parent's own fields too. */
export function tpoSettingsOf(context: unknown): TpoContextInput {
  if (typeof context !== "object" || context === null) return {};
  const picked: Record<string, unknown> = {};
  for (const key of TPO_SETTING_KEYS) {
    const value = (context as Record<string, unknown>)[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as TpoContextInput;
}

/**
 * A node for a parent graph built on `MessagesAnnotation`: it runs TPO on the parent's messages
 * and returns exactly one new `AIMessage`, the best response, with the same `response_metadata`
 * (score, iteration, history, usage) and `usage_metadata` as `TpoChatModel`'s answers.
 *
 * It calls the compiled TPO graph with the node's own config, so that the TPO nodes stream under
 * the parent's namespace (`subgraphs: true`), share its callbacks, signal and checkpointer. The
 * parent's recursion limit (25 by default) is left out, so that the limit the TPO graph was
 * compiled with, which every allowed depth fits under, applies.
 */
export function createTpoNode(options: TpoNodeOptions) {
  const { settings = {} } = options;
  parseTpoContext(settings); // a bad setting fails when the parent graph is built, not on its first run
  const graph = "graph" in options ? options.graph : createTpoGraph(options);
  return async (state: TpoNodeState, config: LangGraphRunnableConfig): Promise<{ messages: AIMessage[] }> => {
    const { recursionLimit: _parentLimit, ...inherited } = config;
    const result = await graph.invoke(
      { messages: state.messages },
      { ...inherited, context: { ...settings, ...tpoSettingsOf(config.context) } },
    );
    // The finalize node's message, under the same id, with the run's metadata and usage added.
    return { messages: [answerMessageOf(result, result.messages.at(-1)?.id)] };
  };
}
