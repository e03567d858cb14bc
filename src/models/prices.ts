import { TpoConfigError } from "../errors.js";

/**
 * What one model costs, in US dollars, with LiteLLM's keys and units
 * (`model_prices_and_context_window.json`): per token of input, cached input and output, and per
 * request. A reward model is priced per request: reward servers do not report tokens.
 */
export interface ModelPrice {
  /** `input_cost_per_token` */
  inputPerToken: number;
  /** `cache_read_input_token_cost`; unset, cached input costs the input price. */
  cachedInputPerToken?: number;
  /** `output_cost_per_token` */
  outputPerToken: number;
  /** `input_cost_per_request` plus `input_cost_per_query` (LiteLLM's key for a rerank call). */
  perRequest: number;
}

/** The price of each model a run uses: the policy samples, the critic critiques and rewrites, the reward model scores. */
export interface RolePrices {
  policy: ModelPrice;
  critic: ModelPrice;
  reward: ModelPrice;
}

export type PriceRole = keyof RolePrices;

/** What one node spent, as the prices count it. */
export interface PricedCounts {
  requests: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

/** The cost of the counts at the price: cached input at its own price, else at the input price. */
export function costOf(counts: PricedCounts, price: ModelPrice): number {
  const cached = Math.min(counts.cachedPromptTokens, counts.promptTokens);
  return (
    (counts.promptTokens - cached) * price.inputPerToken +
    cached * (price.cachedInputPerToken ?? price.inputPerToken) +
    counts.completionTokens * price.outputPerToken +
    counts.requests * price.perRequest
  );
}

/** LiteLLM's keys that this project reads, each a price in USD. */
const PRICE_KEYS = [
  "input_cost_per_token",
  "output_cost_per_token",
  "cache_read_input_token_cost",
  "input_cost_per_request",
  "input_cost_per_query",
] as const;

type PriceEntry = Partial<Record<(typeof PRICE_KEYS)[number], number>>;

/** A price list: model name → its entry, as LiteLLM's file holds them (other keys ignored). */
export type PriceList = ReadonlyMap<string, PriceEntry>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a price list in LiteLLM's format: an object of model names, each an object whose price
 * keys are numbers of 0 or more. `source` names the file in errors. Entries without a price key
 * (LiteLLM's `sample_spec`, image models) are kept empty and refused only if a run uses them.
 */
export function parsePriceList(text: string, source: string): PriceList {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TpoConfigError(
      `The prices file ${source} is not JSON (${(error as Error).message}): give LiteLLM's model_prices_and_context_window.json or a file of the same shape.`,
    );
  }
  if (!isObject(json)) {
    throw new TpoConfigError(
      `The prices file ${source} is not an object of model names: give LiteLLM's model_prices_and_context_window.json or a file of the same shape.`,
    );
  }
  const list = new Map<string, PriceEntry>();
  for (const [model, entry] of Object.entries(json)) {
    if (!isObject(entry)) continue;
    const prices: PriceEntry = {};
    for (const key of PRICE_KEYS) {
      const value = entry[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new TpoConfigError(
          `The prices file ${source} gives model "${model}" ${key} ${JSON.stringify(value)}: a price is a number of 0 or more (USD).`,
        );
      }
      prices[key] = value;
    }
    list.set(model, prices);
  }
  return list;
}

/** What the price of one role is looked up under, and how the user names that model. */
export interface PricedModel {
  /** What the model does in the run: a role of TPO, or "judge" (tpo compare's). */
  role: PriceRole | "judge";
  /** The model name: the entry of the price list. */
  name: string;
  /** The setting that names the model, for the error that says the list lacks it. */
  setting: string;
}

/**
 * The price of one model from the list. A chat model needs its input and output prices; a reward
 * model a price per request or per query, since reward servers do not report tokens.
 */
export function priceFromList(list: PriceList, model: PricedModel, source: string): ModelPrice {
  const entry = list.get(model.name);
  if (!entry) {
    throw new TpoConfigError(
      `The prices file ${source} has no model "${model.name}" (the ${model.role}, ${model.setting}): add an entry for it, or name the model as the file does.`,
    );
  }
  const perRequest = (entry.input_cost_per_request ?? 0) + (entry.input_cost_per_query ?? 0);
  if (model.role === "reward") {
    const perRequestGiven =
      entry.input_cost_per_request !== undefined || entry.input_cost_per_query !== undefined;
    if (!perRequestGiven && (entry.input_cost_per_token ?? 0) > 0) {
      throw new TpoConfigError(
        `The prices file ${source} prices the reward model "${model.name}" per token, but reward servers do not report tokens: give it input_cost_per_request (or input_cost_per_query).`,
      );
    }
    return { inputPerToken: 0, outputPerToken: 0, perRequest };
  }
  const missing = (["input_cost_per_token", "output_cost_per_token"] as const).filter(
    (key) => entry[key] === undefined,
  );
  if (missing.length > 0) {
    throw new TpoConfigError(
      `The prices file ${source} gives the ${model.role} "${model.name}" no ${missing.join(" and ")}: a chat model needs both.`,
    );
  }
  return {
    inputPerToken: entry.input_cost_per_token!,
    outputPerToken: entry.output_cost_per_token!,
    ...(entry.cache_read_input_token_cost !== undefined && {
      cachedInputPerToken: entry.cache_read_input_token_cost,
    }),
    perRequest,
  };
}
