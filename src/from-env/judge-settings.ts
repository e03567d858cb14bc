import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { refuseSimWithServers, type ModelSettings } from "./models-from-env.js";
import { TpoConfigError, TpoJudgeError } from "../errors.js";
import { redactUrls } from "../http/redact.js";
import { chatPriceFromSettings, SIM_MODEL_NAMES } from "./prices-from-settings.js";
import type { ModelPrice } from "../models/prices.js";
import { createOpenAIChatModel } from "../models/chat/openai.js";
import { SimChatModel } from "../sim/index.js";

/** Tokens a judge may write per verdict unless `maxTokens` (`--judge-max-tokens`) says otherwise: a rationale of a few sentences and the verdict fit many times over. */
export const DEFAULT_JUDGE_MAX_TOKENS = 1024;

/** Where the judge is: the simulated world in process, or a model on an OpenAI-compatible server. */
export type JudgeSettings = (
  | { backend: "sim"; maxRetries?: number; maxTokens: number }
  | {
      backend: "openai";
      model: string;
      baseUrl?: string;
      apiKey?: string;
      maxRetries?: number;
      timeoutMs?: number;
      maxTokens: number;
      /** How long a failed server of a list gets no traffic (TPO_COOL_OFF_MS). */
      coolOffMs?: number;
    }
) & {
  /** The judge model's price (--prices, or the price flags), for the cost of its verdicts; unset: no cost. */
  price?: ModelPrice;
};

/** What names the judge itself (TPO_JUDGE_* and the --judge-* flags); unset: the policy's. */
export interface JudgeChoice {
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  maxTokens?: number;
}

/**
 * The judge: what names it (`choice`); what that leaves open comes from the policy's settings.
 * The user names the judge's server, never a file: the models that the results record
 * (`recorded`, read from `recordedIn`) may give the judge's model name once the user has named a
 * server, and make the simulated world judge results made in it, but a URL read from a results
 * file is never sent a request (nor a key). With neither a judge model nor a judge server given,
 * a policy in the simulated world makes the simulated world judge.
 */
export function resolveJudgeSettings(
  choice: JudgeChoice,
  policy: ModelSettings,
  recorded: Record<string, string> | undefined,
  recordedIn = "the results file",
): JudgeSettings {
  const { model, baseUrl, apiKey } = choice;
  const maxTokens = choice.maxTokens ?? DEFAULT_JUDGE_MAX_TOKENS;
  const retries = { maxRetries: policy.maxRetries, timeoutMs: policy.timeoutMs, coolOffMs: policy.coolOffMs };
  if (model === undefined && baseUrl === undefined) {
    const configured =
      policy.backend !== undefined || policy.model !== undefined || policy.baseUrl !== undefined;
    const backend = configured ? policy.backend : recorded?.backend;
    if (backend === "sim") {
      if (configured) refuseSimWithServers(policy);
      const price = chatPriceFromSettings(policy, {
        name: SIM_MODEL_NAMES.chat,
        setting: "the simulated judge",
      });
      return { backend: "sim", maxRetries: policy.maxRetries, maxTokens, ...(price && { price }) };
    }
    if (backend !== undefined && backend !== "openai") {
      throw new TpoConfigError(`Unknown backend "${backend}" for the judge: use "sim" or "openai".`);
    }
  }
  const judgeUrl = baseUrl ?? policy.baseUrl;
  const named = model ?? policy.model;
  if (judgeUrl === undefined && named === undefined && recorded?.backend !== "sim" && recorded?.model) {
    // Only the file says where: its server would get the requests (and a key), and decide the verdicts.
    throw new TpoJudgeError(
      "server-in-file",
      `No judge is configured, and tpo never sends requests to a server named in a file: ` +
        `${recordedIn} was made with ${recorded.model}${recorded.baseUrl ? ` at ${recorded.baseUrl}` : ""}`,
      "; name the judge yourself with TPO_JUDGE_BASE_URL and TPO_JUDGE_MODEL.",
    );
  }
  const fromPolicy = policy.model !== undefined || policy.baseUrl !== undefined;
  const judgeModel = named ?? (fromPolicy ? undefined : recorded?.model);
  if (judgeModel === undefined) {
    throw new TpoJudgeError(
      "none",
      "No judge is configured",
      ": give TPO_JUDGE_MODEL (and TPO_JUDGE_BASE_URL for a server other than OpenAI); the judge defaults to " +
        "the policy (TPO_MODEL, OPENAI_BASE_URL), and TPO_BACKEND=sim judges in the simulated world.",
    );
  }
  // The policy's key goes only to the policy's own server.
  const key = apiKey ?? (baseUrl === undefined ? policy.apiKey : undefined);
  const price = chatPriceFromSettings(policy, {
    name: judgeModel,
    setting: model === undefined ? "TPO_MODEL (--model)" : "TPO_JUDGE_MODEL (--judge-model)",
  });
  return {
    backend: "openai",
    model: judgeModel,
    baseUrl: judgeUrl,
    apiKey: key,
    maxTokens,
    ...retries,
    ...(price && { price }),
  };
}

/**
 * The judge's chat model: the simulated world's, or an OpenAI-compatible client. With
 * `topLogprobs`, each reply carries the top log-probabilities of its tokens
 * (`generationInfo.logprobs`), as AlpacaEval's weighted judge reads them.
 */
export function judgeChatModel(
  settings: JudgeSettings,
  { topLogprobs }: { topLogprobs?: number } = {},
): BaseChatModel {
  if (settings.backend === "sim") return new SimChatModel({ topLogprobs });
  return createOpenAIChatModel(settings, settings.model, {
    ...(topLogprobs === undefined ? {} : { logprobs: true, topLogprobs }),
    pool: {
      role: "judge",
      coolOffMs: settings.coolOffMs,
      setting: "TPO_JUDGE_BASE_URL (--judge-base-url), else OPENAI_BASE_URL",
    },
  });
}

/** The judge as a compare file records it: no key. */
export function describeJudge(settings: JudgeSettings): {
  model: string;
  baseUrl?: string;
  backend?: string;
} {
  if (settings.backend === "sim") return { model: "tpo-sim", backend: "sim" };
  return settings.baseUrl
    ? { model: settings.model, baseUrl: redactUrls(settings.baseUrl) }
    : { model: settings.model };
}
