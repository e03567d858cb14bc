import { AIMessage, type BaseMessage, type UsageMetadata } from "@langchain/core/messages";
import { TpoError } from "../errors.js";
import type { HistoryRecord, TpoStateType, Usage } from "../state/state.js";

/** What a TPO answer carries in `response_metadata`, whichever way TPO was embedded. */
export type TpoResponseMetadata = {
  model_provider: "tpo";
  /** The reward model's score of the answer. */
  tpo_score: number;
  /** The iteration the answer was born in: 0 for a first sample, k for the k-th update. */
  tpo_iteration: number;
  /** One record per iteration, as in the graph's `history`. */
  tpo_history: HistoryRecord[];
  /** Requests, tokens, reward calls and time of the whole run. */
  tpo_usage: Usage;
};

/** Token counts of a whole TPO run, as LangChain reports a model call's. */
export function usageMetadataOf(state: Pick<TpoStateType, "usage">): UsageMetadata {
  const { promptTokens, completionTokens, cachedPromptTokens } = state.usage;
  return {
    input_tokens: promptTokens,
    output_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    // LangSmith prices cached input at its own rate from this detail.
    input_token_details: { cache_read: cachedPromptTokens ?? 0 },
  };
}

export function responseMetadataOf(state: TpoStateType): TpoResponseMetadata {
  const best = requireBest(state);
  return {
    model_provider: "tpo",
    tpo_score: best.score,
    tpo_iteration: best.iteration,
    tpo_history: state.history,
    tpo_usage: state.usage,
  };
}

function requireBest(state: TpoStateType): NonNullable<TpoStateType["best"]> {
  if (!state.best) throw new TpoError("The TPO run ended without a best response.");
  return state.best;
}

/** The answer of a finished run: the best response, with its metadata and the run's usage. */
export function answerMessageOf(state: TpoStateType, id?: string): AIMessage {
  return new AIMessage({
    id,
    content: requireBest(state).text,
    response_metadata: responseMetadataOf(state),
    usage_metadata: usageMetadataOf(state),
  });
}

/** The TPO metadata of an answer, typed; undefined for a message that TPO did not write. */
export function tpoMetadataOf(message: BaseMessage): TpoResponseMetadata | undefined {
  const metadata = message.response_metadata as Partial<TpoResponseMetadata> | undefined;
  return metadata?.model_provider === "tpo" && typeof metadata.tpo_score === "number"
    ? (metadata as TpoResponseMetadata)
    : undefined;
}
