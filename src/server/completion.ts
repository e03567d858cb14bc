import { randomUUID } from "node:crypto";
import type { TpoContext } from "../settings/run-settings.js";
import type { TpoStateType } from "../state/state.js";

/** What a response adds beside the standard fields: the run's answer provenance and history. */
export interface TpoCompletionExtra {
  score: number;
  iteration: number;
  settings: TpoContext;
  history: TpoStateType["history"];
  usage: TpoStateType["usage"];
}

export interface CompletionIds {
  id: string;
  created: number;
  model: string;
}

export function completionIds(model: string): CompletionIds {
  return {
    id: `chatcmpl-${randomUUID().replaceAll("-", "")}`,
    created: Math.floor(Date.now() / 1000),
    model,
  };
}

/** The run's usage as OpenAI's `usage`, with `cost_usd` beside it when the server has prices. */
export function usageOf(state: TpoStateType) {
  const { promptTokens, completionTokens, cachedPromptTokens, costUsd } = state.usage;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedPromptTokens ?? 0 },
    ...(costUsd !== undefined && { cost_usd: costUsd }),
  };
}

export function tpoExtra(state: TpoStateType, settings: TpoContext): TpoCompletionExtra {
  return {
    score: state.best!.score,
    iteration: state.best!.iteration,
    settings,
    history: state.history,
    usage: state.usage,
  };
}

/**
 * A standard `chat.completion`, with the TPO run under `tpo`; with `reasoning`, the message
 * carries it as `reasoning_content`, as vLLM and DeepSeek answer.
 */
export function chatCompletion(
  ids: CompletionIds,
  state: TpoStateType,
  settings: TpoContext,
  reasoning?: string,
) {
  const message = { role: "assistant", content: state.best!.text, refusal: null };
  return {
    id: ids.id,
    object: "chat.completion",
    created: ids.created,
    model: ids.model,
    choices: [
      {
        index: 0,
        message: reasoning === undefined ? message : { ...message, reasoning_content: reasoning },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: usageOf(state),
    system_fingerprint: null,
    tpo: tpoExtra(state, settings),
  };
}

function chunk(ids: CompletionIds, delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: ids.id,
    object: "chat.completion.chunk",
    created: ids.created,
    model: ids.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    system_fingerprint: null,
  };
}

/** The first chunk of a stream: the role, and no content yet. */
export function roleChunk(ids: CompletionIds) {
  return chunk(ids, { role: "assistant", content: "", refusal: null }, null);
}

/** A paragraph of the run's progress as a `reasoning_content` delta, as vLLM and DeepSeek stream reasoning. */
export function reasoningChunk(ids: CompletionIds, text: string) {
  return chunk(ids, { reasoning_content: text }, null);
}

/**
 * The final answer as `chat.completion.chunk`s: the role (unless `roleSent`: the reasoning went
 * first), the content, the finish (with the TPO run under `tpo`) and, when the client asked with
 * `stream_options.include_usage`, the usage.
 */
export function completionChunks(
  ids: CompletionIds,
  state: TpoStateType,
  settings: TpoContext,
  includeUsage: boolean,
  roleSent = false,
) {
  const chunks: unknown[] = [
    ...(roleSent ? [] : [roleChunk(ids)]),
    chunk(ids, { content: state.best!.text }, null),
    { ...chunk(ids, {}, "stop"), tpo: tpoExtra(state, settings) },
  ];
  if (includeUsage) {
    chunks.push({
      ...ids,
      object: "chat.completion.chunk",
      choices: [],
      usage: usageOf(state),
      system_fingerprint: null,
    });
  }
  return chunks;
}
