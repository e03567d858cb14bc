import type { TpoContext } from "./run-settings.js";

/** The sampling of one step's requests. */
export interface SamplingSettings {
  temperature: number;
  topP: number;
  maxTokens: number;
  seed?: number;
  stop?: string[];
}

/**
 * The sampling settings of generate (iteration 0) and of the k-th update. Seed scheme `spread`:
 * sample i of iteration k gets seed + k·N + i, so an update whose prompt repeats an earlier one
 * (the chosen response did not change) still draws new samples instead of the same texts again.
 * Scheme `reference`: every request gets the seed itself, as the reference implementation sends
 * it with each of its generate and update requests (sample i of parallel requests: seed + i).
 */
export function samplingOf(ctx: TpoContext, iteration: number): SamplingSettings {
  const { temperature, topP, maxTokens, seed, stop } = ctx;
  return {
    temperature,
    topP,
    maxTokens,
    seed: seed === undefined || ctx.seedScheme === "reference" ? seed : seed + iteration * ctx.width,
    stop,
  };
}

/**
 * The sampling settings of the critic's requests (critique and gradient) in iteration k: its own
 * temperature, top_p, max tokens and stop strings. Seed scheme `spread`: seed + k·N, so that a
 * chosen/rejected pair that repeats in a later iteration does not get a verbatim repeated critique.
 * Scheme `reference`: no seed, as the reference's loss and gradient requests carry none.
 */
export function criticSamplingOf(ctx: TpoContext, iteration: number): SamplingSettings {
  return {
    temperature: ctx.criticTemperature,
    topP: ctx.criticTopP,
    maxTokens: ctx.criticMaxTokens,
    seed:
      ctx.seed === undefined || ctx.seedScheme === "reference" ? undefined : ctx.seed + iteration * ctx.width,
    stop: ctx.criticStop,
  };
}
