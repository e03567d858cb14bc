import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { OpenAIServerSettings } from "../models/chat/openai.js";
import type { TpoModels } from "../models/tpo-models.js";
import { TpoConfigError } from "../errors.js";
import { createSimWorld, SimRewardModel } from "../sim/index.js";
import { createOpenAIChatModel, type TpoChatOpenAI } from "../models/chat/openai.js";
import type { ChatPoolOptions } from "../models/chat/chat-pool.js";
import type { RewardModel } from "../models/reward/reward-model.js";
import { createRewardModelFromSettings } from "./reward-model-from-settings.js";
import { affinityOf } from "./affinity.js";
import { MODEL_SETTINGS } from "./model-settings-table.js";
import { pricesFromSettings } from "./prices-from-settings.js";

/** Where the models come from: the environment variables, or the CLI flags that mirror them. */
export interface ModelSettings extends OpenAIServerSettings {
  /** TPO_BACKEND: "sim" for the in-process simulated world. */
  backend?: string;
  /** OPENAI_API_KEY */
  apiKey?: string;
  /**
   * OPENAI_BASE_URL: an OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp, …), or several
   * servers of the same model separated by commas.
   */
  baseUrl?: string;
  /** TPO_MODEL: the policy model. */
  model?: string;
  /** TPO_CRITIC_MODEL: the critic model; defaults to the policy. */
  criticModel?: string;
  /** TPO_CRITIC_BASE_URL: the critic's own server(s); default: the policy's. */
  criticBaseUrl?: string;
  /** TPO_CRITIC_API_KEY: the key of the critic's own server; default: OPENAI_API_KEY when it uses the policy's. */
  criticApiKey?: string;
  /** TPO_REWARD_URL, TPO_REWARD_KIND, TPO_REWARD_MODEL, TPO_REWARD_API_KEY */
  rewardUrl?: string;
  rewardKind?: string;
  rewardModel?: string;
  rewardApiKey?: string;
  /** TPO_REWARD_TEMPLATE: the chat template of `tei` and `sglang`: llama3, tulu, chatml, or a JSON file. */
  rewardTemplate?: string;
  /** TPO_REWARD_LABEL: which label (from 0) is the reward when a vLLM reward server returns several. */
  rewardLabel?: number;
  /** TPO_MAX_RETRIES: retries of a failed policy or critic request (default 3). */
  maxRetries?: number;
  /**
   * TPO_TIMEOUT_MS: timeout of one attempt of a policy, critic or reward request (default: the
   * OpenAI SDK's 10 minutes for the policy and critic, 60 s for a reward server).
   */
  timeoutMs?: number;
  /** TPO_REWARD_TIMEOUT_MS: timeout of one attempt of a reward-server request; wins over TPO_TIMEOUT_MS. */
  rewardTimeoutMs?: number;
  /**
   * TPO_AFFINITY: "on" (default) keeps each query on one server of a role and sends its routing
   * key; "off" sends no key and spreads requests over the servers in turn.
   */
  affinity?: string;
  /** TPO_COOL_OFF_MS: how long a failed server of a list gets no traffic before it is probed (default 10 000). */
  coolOffMs?: number;
  /** TPO_PRICES: a price list in LiteLLM's format (model name → input_cost_per_token, …). */
  prices?: string;
  /** TPO_INPUT_PRICE, TPO_CACHED_INPUT_PRICE, TPO_OUTPUT_PRICE: USD per million tokens of the policy and critic. */
  inputPrice?: string;
  cachedInputPrice?: string;
  outputPrice?: string;
  /** TPO_REWARD_PRICE: USD per reward request. */
  rewardPrice?: string;
  /**
   * Not a variable: true when a server of these settings said it is the simulated one
   * (`reachesSimulatedServer`), so that its results are labelled as simulated.
   */
  simulatedServer?: boolean;
}

export function modelSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ModelSettings {
  const value = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const count = (name: string) => {
    const text = value(name);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text))
      throw new TpoConfigError(`${name} must be a whole number of 0 or more, got "${text}".`);
    return Number(text);
  };
  const settings: Record<string, string | number | undefined> = {};
  for (const { key, env: name, numeric } of MODEL_SETTINGS)
    settings[key] = numeric ? count(name) : value(name);
  return settings as ModelSettings;
}

export const CONFIGURE_MODELS_HELP =
  "Configure a model in one of three ways: " +
  "(1) TPO_BACKEND=sim for the offline simulated world; " +
  "(2) OPENAI_API_KEY and TPO_MODEL for OpenAI; " +
  "(3) OPENAI_BASE_URL and TPO_MODEL for an OpenAI-compatible server such as vLLM, SGLang or Ollama. " +
  "A reward-model server is set with TPO_REWARD_URL and TPO_REWARD_KIND; without one, the policy judges.";

/** The reward model the settings describe, for a given policy (an LLM judge uses it). */
export function loadRewardModel(settings: ModelSettings, policy: BaseChatModel): RewardModel {
  return settings.backend === "sim" ? new SimRewardModel() : createRewardModelFromSettings(settings, policy);
}

/** How a chat client of the settings spreads its requests when it has several servers. */
function poolOptions(settings: ModelSettings, role: string, setting: string): ChatPoolOptions {
  return { role, affinity: affinityOf(settings), coolOffMs: settings.coolOffMs, setting };
}

/** The critic's own client, when it has its own model or servers; otherwise the policy is the critic. */
function loadCritic(settings: ModelSettings, policy: TpoChatOpenAI): TpoChatOpenAI {
  if (!settings.criticModel && !settings.criticBaseUrl) return policy;
  const ownServer = settings.criticBaseUrl !== undefined;
  // The policy's key goes only to the policy's own servers.
  const server = {
    ...settings,
    baseUrl: settings.criticBaseUrl ?? settings.baseUrl,
    apiKey: settings.criticApiKey ?? (ownServer ? undefined : settings.apiKey),
  };
  const setting = ownServer ? "TPO_CRITIC_BASE_URL (--critic-base-url)" : "OPENAI_BASE_URL (--base-url)";
  return createOpenAIChatModel(server, settings.criticModel ?? settings.model!, {
    pool: poolOptions(settings, "critic", setting),
  });
}

/** The settings that name a server or its model, each with its variable (and flag). */
const SERVER_SETTINGS = [
  ["baseUrl", "OPENAI_BASE_URL", "--base-url"],
  ["criticBaseUrl", "TPO_CRITIC_BASE_URL", "--critic-base-url"],
  ["rewardUrl", "TPO_REWARD_URL", "--reward-url"],
  ["model", "TPO_MODEL", "--model"],
] as const;

function listed(names: string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * The simulated world never answers as a server would: a server setting next to TPO_BACKEND=sim
 * means the user believes they talk to a server, so it is refused rather than silently ignored.
 */
export function refuseSimWithServers(settings: ModelSettings): void {
  const given = SERVER_SETTINGS.filter(([key]) => settings[key] !== undefined);
  if (given.length === 0) return;
  const names = listed(given.map(([, variable]) => variable));
  const flags = listed(given.map(([, , flag]) => flag));
  throw new TpoConfigError(
    `TPO_BACKEND=sim (--backend sim) runs the offline simulated world, but ${names} (${flags}) ` +
      `${given.length === 1 ? "names" : "name"} a server: unset TPO_BACKEND (or set it to openai) to use the server, ` +
      `or unset ${names} to stay in the simulated world.`,
  );
}

/** The policy, critic and reward model that the settings describe. */
export function loadModels(settings: ModelSettings): TpoModels {
  if (settings.backend === "sim") {
    refuseSimWithServers(settings);
    const world = createSimWorld();
    return withPrices(settings, {
      policy: world.policy,
      critic: world.policy,
      rewardModel: world.rewardModel,
    });
  }
  if (settings.backend !== undefined && settings.backend !== "openai") {
    throw new TpoConfigError(`Unknown TPO_BACKEND "${settings.backend}": use "sim" or "openai".`);
  }
  if (!settings.model || (!settings.apiKey && !settings.baseUrl)) {
    throw new TpoConfigError(`No model is configured. ${CONFIGURE_MODELS_HELP}`);
  }
  const policy = createOpenAIChatModel(settings, settings.model, {
    pool: poolOptions(settings, "policy", "OPENAI_BASE_URL (--base-url)"),
  });
  const critic = loadCritic(settings, policy);
  return withPrices(settings, { policy, critic, rewardModel: loadRewardModel(settings, policy) });
}

function withPrices(settings: ModelSettings, models: TpoModels): TpoModels {
  const prices = pricesFromSettings(settings);
  return prices ? { ...models, prices } : models;
}

/**
 * The models the environment describes (TPO_BACKEND, OPENAI_BASE_URL, TPO_MODEL, TPO_REWARD_URL,
 * …): `createTpoGraph(modelsFromEnv())` is TPO configured from the environment.
 */
export function modelsFromEnv(env: NodeJS.ProcessEnv = process.env): TpoModels {
  return loadModels(modelSettingsFromEnv(env));
}
