import type { TpoContext } from "./run-settings.js";

/** The sampling of one step's requests. */
export interface SamplingSettings {
  temperature: number;
  topP: number;
  maxTokens: number;
  seed?: number;
}

/**
 * The sampling settings of generate (iteration 0) and of the k-th update. With a seed, sample i of
 * iteration k gets seed + k·N + i: an update whose prompt repeats an earlier one (the chosen
 * response did not change) still draws new samples instead of the same texts again.
 */
export function samplingOf(ctx: TpoContext, iteration: number): SamplingSettings {
  const { temperature, topP, maxTokens, seed } = ctx;
  return {
    temperature,
    topP,
    maxTokens,
    seed: seed === undefined ? undefined : seed + iteration * ctx.width,
  };
}

/**
 * The sampling settings of the critic's requests (critique and gradient) in iteration k: its own
 * temperature, top_p and max tokens, and with a seed, seed + k·N, so that a chosen/rejected pair
 * that repeats in a later iteration does not get a verbatim repeated critique.
 */
export function criticSamplingOf(ctx: TpoContext, iteration: number): SamplingSettings {
  return {
    temperature: ctx.criticTemperature,
    topP: ctx.criticTopP,
    maxTokens: ctx.criticMaxTokens,
    seed: ctx.seed === undefined ? undefined : ctx.seed + iteration * ctx.width,
  };
}
