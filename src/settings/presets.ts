import { TpoSettingsError } from "../errors.js";
import type { TpoContextInput } from "./run-settings.js";

/** The system prompt of the reference implementation's engine (TextGrad's VllmServer) on every request. */
export const REFERENCE_SYSTEM_PROMPT = "You are a helpful, creative, and smart assistant.";

/** The stop strings that the reference's engine (TextGrad's VllmServer) sends with every request. */
export const REFERENCE_STOP = ["<|end_of_text|>", "<|eot_id|>", "<|im_end|>"];

/**
 * Named sets of run settings. `official` is the reference implementation's published example run
 * (yafuly/TPO, README and run.py): `--sample_size 5 --max_iterations 2 --seed 7
 * --max_tokens_response 2048`, sampling at temperature 0.7 and top_p 0.95 (run.py), the seed on
 * every generate and update request and none on the critic's. The critic's loss and gradient
 * requests use its engine's defaults (textgrad/engine/openai.py, VllmServer): temperature 0.7,
 * top_p 0.99 and max tokens 8192 (run.py passes `max_token=`, a typo that the engine swallows, so
 * its own default of 8192 applies, not `--max_tokens_all`). Every request carries the engine's
 * stop strings.
 */
export const TPO_PRESETS = {
  official: {
    mode: "tpo",
    width: 5,
    depth: 2,
    temperature: 0.7,
    topP: 0.95,
    maxTokens: 2048,
    seed: 7,
    seedScheme: "reference",
    stop: [...REFERENCE_STOP],
    criticTemperature: 0.7,
    criticTopP: 0.99,
    criticMaxTokens: 8192,
    criticStop: [...REFERENCE_STOP],
    systemPrompt: REFERENCE_SYSTEM_PROMPT,
    untaggedRewrites: "drop",
  },
} satisfies Record<string, TpoContextInput>;

export type TpoPresetName = keyof typeof TPO_PRESETS;

export const TPO_PRESET_NAMES = Object.keys(TPO_PRESETS) as TpoPresetName[];

/**
 * The settings of a preset, with `overrides` on top: explicit settings win over the preset's. Each
 * call gets its own copy (lists included), so a caller that changes it changes no later run.
 */
export function preset(name: string, overrides: TpoContextInput = {}): TpoContextInput {
  if (!Object.prototype.hasOwnProperty.call(TPO_PRESETS, name)) {
    throw new TpoSettingsError(
      "preset",
      `Unknown preset "${name}"; the presets are: ${TPO_PRESET_NAMES.join(", ")}.`,
    );
  }
  return { ...structuredClone(TPO_PRESETS[name as TpoPresetName]), ...overrides };
}
