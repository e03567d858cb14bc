import { readFileSync } from "node:fs";
import { TpoConfigError } from "../errors.js";
import {
  parsePriceList,
  priceFromList,
  type ModelPrice,
  type PricedModel,
  type PriceList,
  type PriceRole,
  type RolePrices,
} from "../models/prices.js";
import type { ModelSettings } from "./models-from-env.js";

/** The names the simulated world's models go by in a price list (TPO_BACKEND=sim). */
export const SIM_MODEL_NAMES = { chat: "tpo-sim", reward: "tpo-sim-reward" } as const;

const PER_MILLION = 1e-6;

/** A price flag's value in USD, or an error naming the flag. */
function usd(text: string | undefined, setting: string, unit: string): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new TpoConfigError(`${setting} must be a number of 0 or more (USD ${unit}), got "${text}".`);
  }
  return value;
}

/** The chat models' price that the shortcut settings give, or undefined when they give none. */
function chatShortcut(settings: ModelSettings): ModelPrice | undefined {
  const perMillion = "per million tokens";
  const input = usd(settings.inputPrice, "TPO_INPUT_PRICE (--input-price)", perMillion);
  const cached = usd(settings.cachedInputPrice, "TPO_CACHED_INPUT_PRICE (--cached-input-price)", perMillion);
  const output = usd(settings.outputPrice, "TPO_OUTPUT_PRICE (--output-price)", perMillion);
  if (input === undefined && output === undefined && cached === undefined) return undefined;
  if (input === undefined || output === undefined) {
    throw new TpoConfigError(
      "--input-price and --output-price (TPO_INPUT_PRICE, TPO_OUTPUT_PRICE) go together: give both, in USD per million tokens.",
    );
  }
  return {
    inputPerToken: input * PER_MILLION,
    outputPerToken: output * PER_MILLION,
    ...(cached !== undefined && { cachedInputPerToken: cached * PER_MILLION }),
    perRequest: 0,
  };
}

/** The model of each role as a price list names it, and the setting that names it. */
function pricedModels(settings: ModelSettings): (PricedModel & { role: PriceRole })[] {
  if (settings.backend === "sim") {
    return [
      { role: "policy", name: SIM_MODEL_NAMES.chat, setting: "the simulated policy" },
      { role: "critic", name: SIM_MODEL_NAMES.chat, setting: "the simulated critic" },
      { role: "reward", name: SIM_MODEL_NAMES.reward, setting: "the simulated reward model" },
    ];
  }
  const policy = settings.model ?? "";
  const critic = settings.criticModel ?? policy;
  return [
    { role: "policy", name: policy, setting: "TPO_MODEL (--model)" },
    {
      role: "critic",
      name: critic,
      setting: settings.criticModel ? "TPO_CRITIC_MODEL (--critic-model)" : "TPO_MODEL (--model)",
    },
    { role: "reward", name: settings.rewardModel ?? "", setting: "TPO_REWARD_MODEL (--reward-model)" },
  ];
}

function readPriceList(file: string, readText: (path: string) => string): PriceList {
  let text: string;
  try {
    text = readText(file);
  } catch (error) {
    throw new TpoConfigError(
      `Cannot read the prices file ${file} (TPO_PRICES, --prices): ${(error as Error).message}`,
    );
  }
  return parsePriceList(text, file);
}

/**
 * The price of one more chat model (tpo compare's judge) from the same settings: the shortcut
 * prices when given, else its entry in the price list; undefined when neither is given.
 */
export function chatPriceFromSettings(
  settings: ModelSettings,
  model: Omit<PricedModel, "role">,
  readText: (path: string) => string = (path) => readFileSync(path, "utf8"),
): ModelPrice | undefined {
  const shortcut = chatShortcut(settings);
  if (shortcut) return shortcut;
  if (settings.prices === undefined) return undefined;
  return priceFromList(
    readPriceList(settings.prices, readText),
    { ...model, role: "judge" },
    settings.prices,
  );
}

/**
 * The price of each model the settings describe, from the price list (TPO_PRICES) and the
 * shortcut prices (which win over the list), or undefined when no price was given. Every model of
 * the run must have a price: a cost that leaves one out would be a guess.
 */
export function pricesFromSettings(
  settings: ModelSettings,
  readText: (path: string) => string = (path) => readFileSync(path, "utf8"),
): RolePrices | undefined {
  const chat = chatShortcut(settings);
  const rewardPrice = usd(settings.rewardPrice, "TPO_REWARD_PRICE (--reward-price)", "per request");
  const reward =
    rewardPrice === undefined ? undefined : { inputPerToken: 0, outputPerToken: 0, perRequest: rewardPrice };
  const file = settings.prices;
  if (!chat && !reward && file === undefined) return undefined;
  if (settings.backend !== "sim" && !settings.rewardUrl) {
    throw new TpoConfigError(
      "Prices need a reward server (TPO_REWARD_URL): with the policy as judge, the judge's tokens are not counted, so a cost would leave them out.",
    );
  }
  const list = file === undefined ? undefined : readPriceList(file, readText);
  const shortcut = { policy: chat, critic: chat, reward };
  const prices: Partial<RolePrices> = {};
  for (const model of pricedModels(settings)) {
    const given = shortcut[model.role];
    if (given) prices[model.role] = given;
    else if (list) {
      if (model.name === "") {
        throw new TpoConfigError(
          `The ${model.role} has no model name to look up in ${file}: set ${model.setting} to the name its entry has, or give its price with --reward-price.`,
        );
      }
      prices[model.role] = priceFromList(list, model, file!);
    } else {
      const flags = model.role === "reward" ? "--reward-price" : "--input-price and --output-price";
      throw new TpoConfigError(
        `The ${model.role} has no price: give ${flags} (0 for a model that costs nothing), or --prices FILE.`,
      );
    }
  }
  return prices as RolePrices;
}
