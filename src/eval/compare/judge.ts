import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { UsageMetadata } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { z } from "zod";
import { ModelRequestError, TpoConfigError, TpoError } from "../../errors.js";
import { describeValue } from "../../models/reward/reward-model.js";
import { DEFAULT_RETRY_POLICY } from "../../http/retry.js";
import { promptMessages } from "../../prompts/messages.js";
import { PAIRWISE_PROMPT, PAIRWISE_VERDICTS } from "../../prompts/pairwise.js";
import { zodIssues } from "../../util/zod-issues.js";
import { judgedWithCache, judgeRequest, type JudgeCache } from "../judge-cache.js";

/** The pairwise verdict as structured output. The verdict names a position: A is the response shown first. */
export const PairwiseVerdictSchema = z
  .object({
    rationale: z.string().describe("Two or three sentences comparing the two responses."),
    verdict: z
      .enum(PAIRWISE_VERDICTS)
      .describe(
        '"A" if Response A is better, "B" if Response B is better, "tie" if neither is clearly better.',
      ),
  })
  .describe("A verdict on two responses to one query: a short rationale, then which response is better.");

export type PositionalVerdict = z.infer<typeof PairwiseVerdictSchema>["verdict"];

/** Tokens of the judge's requests, as its server reported them (0 when it did not). */
export interface JudgeTokens {
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

export interface PairwiseAnswer {
  verdict: PositionalVerdict;
  rationale: string;
  /** Requests it took: 1, plus one for each invalid verdict asked again. */
  requests: number;
  /** Tokens of the requests that got an answer. */
  tokens: JudgeTokens;
}

/** What the structured call returns with `includeRaw`: the message (its token usage) and the verdict. */
interface RawAndParsed {
  raw?: { usage_metadata?: UsageMetadata };
  parsed?: unknown;
  parsingError?: unknown;
}

function addTokens(tokens: JudgeTokens, usage: UsageMetadata | undefined): JudgeTokens {
  if (!usage) return tokens;
  return {
    promptTokens: tokens.promptTokens + (usage.input_tokens ?? 0),
    cachedPromptTokens: tokens.cachedPromptTokens + (usage.input_token_details?.cache_read ?? 0),
    completionTokens: tokens.completionTokens + (usage.output_tokens ?? 0),
  };
}

/** A judge that compares two responses to a query, shown in the order given. */
export interface PairwiseJudge {
  judge(query: string, shownFirst: string, shownSecond: string): Promise<PairwiseAnswer>;
}

/** A judge whose verdicts stayed invalid after its retries: the comparison failed (`tpo compare` exits with 1). */
export class InvalidVerdictError extends TpoError {}

export interface PairwiseJudgeOptions {
  /** How often an invalid verdict is asked again (default 3: four attempts in all). */
  maxRetries?: number;
  /** Temperature of the judge's requests (default 0), as a call option. */
  temperature?: number;
  /** Tokens the judge may write per verdict (max_tokens), as a call option; unset: the server's default. */
  maxTokens?: number;
  /** What errors call the judge. */
  name: string;
  /** A persistent cache of verdicts (`--cache`): a verdict it has is not asked again. */
  cache?: JudgeCache;
}

/** A verdict read back from the cache: of the shape the judge returns, or not used. */
function isPairwiseAnswer(value: unknown): value is PairwiseAnswer {
  const v = value as PairwiseAnswer | null | undefined;
  return (
    PairwiseVerdictSchema.safeParse(v).success &&
    typeof v?.requests === "number" &&
    ["promptTokens", "cachedPromptTokens", "completionTokens"].every(
      (k) => typeof (v.tokens as unknown as Record<string, unknown> | undefined)?.[k] === "number",
    )
  );
}

/**
 * A request that got an answer which is no chat completion (not of the expected shape): retrying
 * the request cannot help, but asking again may, as for an invalid verdict. Failed requests
 * (statuses, timeouts, connections, a 2xx body that is not JSON) carry a status or were retried by
 * the client already.
 */
function isUnreadableAnswer(error: unknown): boolean {
  if (!(error instanceof ModelRequestError) || error.status !== undefined) return false;
  return error.cause instanceof SyntaxError || zodIssues(error.cause) !== null;
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0].replace(/\.+$/, "");
}

/**
 * A pairwise LLM judge through structured output, as `createJudgeRewardModel` is a pointwise one.
 * A verdict that does not parse, or is none of A, B and tie, or an answer that is not JSON at all,
 * is asked again up to `maxRetries` times; a failed request (the client has retried it already)
 * fails at once. With `cache`, a verdict it holds for the same request is not asked again.
 */
export function createPairwiseJudge(chatModel: BaseChatModel, options: PairwiseJudgeOptions): PairwiseJudge {
  // As JSON schema rather than zod: then no client validates the verdict inside its request (the
  // OpenAI SDK does, for zod), where an invalid verdict would look like a failed request. It is
  // validated here, and asked again.
  const schema = toJsonSchema(PairwiseVerdictSchema) as Record<string, unknown>;
  // With the raw message, so that the verdict's tokens can be priced.
  const bind = () => chatModel.withStructuredOutput(schema, { name: "pairwise_verdict", includeRaw: true });
  let structured: ReturnType<typeof bind>;
  try {
    structured = bind();
  } catch (error) {
    throw new TpoConfigError(
      `The judge needs a chat model with structured output (tool calling or JSON schema), and "${options.name}" has none: ${reasonOf(error)}.`,
    );
  }
  const attempts = 1 + (options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries);
  const temperature = options.temperature ?? 0;
  const config = {
    temperature,
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    tags: ["tpo:pairwise-judge"],
  } as RunnableConfig;

  return {
    async judge(query, shownFirst, shownSecond) {
      const messages = promptMessages(PAIRWISE_PROMPT, {
        query,
        response_a: shownFirst,
        response_b: shownSecond,
      });
      const request = judgeRequest("pairwise", messages, {
        schema: "pairwise_verdict",
        temperature,
        maxTokens: options.maxTokens,
        attempts,
      });
      const read = {
        valid: isPairwiseAnswer,
        counts: (a: PairwiseAnswer) => ({ requests: a.requests, ...a.tokens }),
      };
      return judgedWithCache(options.cache, request, read, async () => {
        let reason = "";
        let tokens: JudgeTokens = { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 };
        for (let attempt = 1; attempt <= attempts; attempt++) {
          let answer: RawAndParsed;
          try {
            answer = (await structured.invoke(messages, config)) as RawAndParsed;
          } catch (error) {
            if (error instanceof ModelRequestError && !isUnreadableAnswer(error)) throw error;
            reason = reasonOf(error);
            continue;
          }
          tokens = addTokens(tokens, answer.raw?.usage_metadata);
          if (answer.parsingError !== undefined) {
            reason = reasonOf(answer.parsingError);
            continue;
          }
          const parsed = PairwiseVerdictSchema.safeParse(answer.parsed);
          if (parsed.success) return { ...parsed.data, requests: attempt, tokens };
          const issue = parsed.error.issues[0];
          reason = `${describeValue(answer.parsed)} (${issue?.path.join(".") || "verdict"}: ${issue?.message})`;
        }
        throw new InvalidVerdictError(
          `the judge ${options.name} gave no valid verdict (A, B or tie) in ${attempts} attempt${attempts === 1 ? "" : "s"}: ${reason}`,
        );
      });
    },
  };
}
