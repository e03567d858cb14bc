import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, mergeUsageMetadata, type BaseMessage } from "@langchain/core/messages";
import { Overwrite } from "@langchain/langgraph";
import { agentHookCallbacks } from "../compat/agent-hook-callbacks.js";
import { createTpoGraph, type TpoGraph, type TpoGraphOptions } from "../graph/builder.js";
import { makeGenerateNode } from "../nodes/generate.js";
import type { TpoNode } from "../nodes/contract.js";
import { runTpoToEnd } from "../run/index.js";
import { parseTpoContext, type TpoContextInput } from "../settings/run-settings.js";
import { isTpoEvent } from "../state/events.js";
import { makeCandidate, type Candidate } from "../state/state.js";
import { tpoConversationOf } from "./agent-conversation.js";
import { answerMessageOf } from "./answer.js";
import { isolatedCallbacks, NO_STREAM_TAG, runIsolated } from "./isolated-run.js";
import { loadLangchain } from "./load-langchain.js";

const { createMiddleware } = await loadLangchain();

/** The agent's state as the middleware sees it: its messages, and its middleware's own fields. */
export type TpoAgentState = { messages: BaseMessage[] } & Record<string, unknown>;

export type TpoMiddlewareOptions = Omit<TpoGraphOptions, "policy"> & {
  /** The model that samples TPO's first responses. Default: the agent's own model. */
  policy?: BaseChatModel;
  /** Run settings of every TPO run: width, depth, mode, sampling, the budgets that cap a run. */
  settings?: TpoContextInput;
  /**
   * Which final answers get TPO: called with the agent's state and its answer; TPO runs when it
   * returns true. Default: every final answer.
   */
  when?: (state: TpoAgentState, answer: AIMessage) => boolean | Promise<boolean>;
  /**
   * The agent's own answer joins TPO's pool as a first candidate (scored once, like the samples),
   * so the answer TPO returns scores at least as well by the reward model. Default true.
   */
  agentAnswerInPool?: boolean;
};

/** Where the run's configurable carries the agent's answer to the generate node. */
const AGENT_ANSWER_KEY = "tpo_agent_answer";

/** Generate, with the agent's answer (when the run carries one) as the first candidate of the pool. */
function withAgentAnswer(generate: TpoNode): TpoNode {
  return async (state, runtime) => {
    const update = await generate(state, runtime);
    const answer = (runtime.configurable as Record<string, unknown> | undefined)?.[AGENT_ANSWER_KEY];
    if (typeof answer !== "string" || !answer.trim()) return update;
    const pool = update.pool ?? [];
    const samples = Overwrite.isInstance<Candidate[]>(pool) ? pool.value : (pool as Candidate[]);
    return { ...update, pool: [makeCandidate(answer.trim(), 0, "sample"), ...samples] };
  };
}

/** A final answer: an AI message with text and no tool calls. */
function isFinalAnswer(message: AIMessage): boolean {
  return !message.tool_calls?.length && message.text.trim() !== "";
}

/**
 * TPO as LangChain 1 middleware for `createAgent`: the agent works as it does (model calls that
 * return tool calls pass through untouched), and a model call that returns a final answer is
 * refined by a TPO run over the conversation so far (system prompt, user turns, tool results as
 * context). The agent returns TPO's answer as its final message, with TPO's metadata
 * (`tpoMetadataOf`) and the usage of both added up.
 *
 * The run sits under the agent's model call in a trace, stops with the agent's abort signal, and
 * writes its progress events (`tpo.iteration.started`, …) to the agent's custom stream; it does
 * not join the agent's graph (its checkpoints, its "messages" stream).
 */
export function tpoMiddleware(options: TpoMiddlewareOptions) {
  const { policy, critic, rewardModel, nodes, prompts, prices, settings = {}, when } = options;
  const context = parseTpoContext(settings); // a bad setting fails now, naming the field
  const inPool = options.agentAnswerInPool ?? true;
  const graphs = new WeakMap<BaseChatModel, TpoGraph>();
  const graphFor = (model: BaseChatModel): TpoGraph => {
    let graph = graphs.get(model);
    if (!graph) {
      const generate = withAgentAnswer(nodes?.generate ?? makeGenerateNode({ policy: model }));
      graph = createTpoGraph({
        policy: model,
        critic,
        rewardModel,
        prompts,
        prices,
        nodes: { ...nodes, generate },
      });
      graphs.set(model, graph);
    }
    return graph;
  };
  if (policy) graphFor(policy);

  return createMiddleware({
    name: "TpoMiddleware",
    wrapModelCall: async (request, handler) => {
      const answer = await handler(request);
      if (!isFinalAnswer(answer) || request.responseFormat !== undefined) return answer;
      if (when && !(await when(request.state, answer))) return answer;
      const conversation = tpoConversationOf(request.systemMessage, request.messages);
      if (conversation.length === 0) return answer;
      // The model node's callbacks: they put TPO's run under the agent's model call.
      const callbacks = isolatedCallbacks(agentHookCallbacks());
      const { writer, signal } = request.runtime;
      const graph = graphFor(policy ?? (request.model as BaseChatModel));
      const { state } = await runIsolated(callbacks, () =>
        runTpoToEnd(
          graph,
          { messages: conversation },
          {
            context,
            signal,
            callbacks,
            tags: [NO_STREAM_TAG],
            configurable: inPool ? { [AGENT_ANSWER_KEY]: answer.text } : undefined,
            onEvent: writer && ((event) => isTpoEvent(event) && writer(event)),
          },
        ),
      );
      const refined = answerMessageOf(state, answer.id ? `${answer.id}-tpo` : undefined);
      return new AIMessage({
        id: refined.id,
        content: refined.content,
        response_metadata: refined.response_metadata,
        usage_metadata: mergeUsageMetadata(answer.usage_metadata, refined.usage_metadata),
      });
    },
  });
}
