import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { refuseSimWithServers, type ModelSettings } from "../../from-env/models-from-env.js";
import { redactUrls } from "../../util/redact.js";
import { chatPriceFromSettings, SIM_MODEL_NAMES } from "../../from-env/prices-from-settings.js";
import type { ModelPrice } from "../../models/prices.js";
import { createOpenAIChatModel } from "../../models/chat/openai.js";
import { SimChatModel } from "../../sim/index.js";
import { CliUsageError } from "../errors.js";
import { modelSettings, numberFlag } from "../flags.js";
import type { JudgeDescription } from "../../eval/compare/judgment.js";

/** Tokens a judge may write per verdict unless `--judge-max-tokens` says otherwise: a rationale of a few sentences and the verdict fit many times over. */
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

function given(options: Record<string, unknown>, env: NodeJS.ProcessEnv, key: string, name: string) {
  const flag = options[key];
  if (typeof flag === "string" && flag.trim()) return flag.trim();
  return env[name]?.trim() || undefined;
}

/**
 * The judge: the --judge-* flags and TPO_JUDGE_* variables; what they leave open comes from the
 * policy settings (flags and variables, as `tpo batch` reads them). The user names the judge's
 * server, never a file: the models that the results record may give the judge's model name once
 * the user has named a server, and make the simulated world judge results made in it, but a URL
 * read from a results file is never sent a request (nor a key). With neither a judge model nor a
 * judge server given, a policy in the simulated world makes the simulated world judge.
 */
export function judgeSettings(
  options: Record<string, unknown>,
  recorded: Record<string, string> | undefined,
  env: NodeJS.ProcessEnv,
  recordedIn = "the results file",
): JudgeSettings {
  const policy: ModelSettings = modelSettings(options, env);
  const model = given(options, env, "judgeModel", "TPO_JUDGE_MODEL");
  const baseUrl = given(options, env, "judgeBaseUrl", "TPO_JUDGE_BASE_URL");
  const apiKey = given(options, env, "judgeApiKey", "TPO_JUDGE_API_KEY");
  const maxTokensFlag = given(options, env, "judgeMaxTokens", "TPO_JUDGE_MAX_TOKENS");
  const maxTokens =
    maxTokensFlag === undefined
      ? DEFAULT_JUDGE_MAX_TOKENS
      : numberFlag("--judge-max-tokens", maxTokensFlag, { integer: true, min: 1 });
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
      throw new CliUsageError(`Unknown backend "${backend}" for the judge: use "sim" or "openai".`);
    }
  }
  const judgeUrl = baseUrl ?? policy.baseUrl;
  const named = model ?? policy.model;
  if (judgeUrl === undefined && named === undefined && recorded?.backend !== "sim" && recorded?.model) {
    // Only the file says where: its server would get the requests (and a key), and decide the verdicts.
    throw new CliUsageError(
      `No judge is configured, and tpo never sends requests to a server named in a file: ` +
        `${recordedIn} was made with ${recorded.model}${recorded.baseUrl ? ` at ${recorded.baseUrl}` : ""}; ` +
        "name the judge yourself with --judge-base-url <url> and --judge-model <name> (or TPO_JUDGE_BASE_URL and TPO_JUDGE_MODEL).",
    );
  }
  const fromPolicy = policy.model !== undefined || policy.baseUrl !== undefined;
  const judgeModel = named ?? (fromPolicy ? undefined : recorded?.model);
  if (judgeModel === undefined) {
    throw new CliUsageError(
      "No judge is configured: give --judge-model (and --judge-base-url for a server other than OpenAI), " +
        "or TPO_JUDGE_MODEL and TPO_JUDGE_BASE_URL; the judge defaults to the policy (TPO_MODEL, OPENAI_BASE_URL), " +
        "and TPO_BACKEND=sim judges in the simulated world.",
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
export function describeJudge(settings: JudgeSettings): JudgeDescription {
  if (settings.backend === "sim") return { model: "tpo-sim", backend: "sim" };
  return settings.baseUrl
    ? { model: settings.model, baseUrl: redactUrls(settings.baseUrl) }
    : { model: settings.model };
}
