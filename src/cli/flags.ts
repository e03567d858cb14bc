import { parseTpoContext, type TpoContext, type TpoContextInput } from "../settings/run-settings.js";
import { preset } from "../settings/presets.js";
import { TpoConfigError, TpoSettingsError } from "../errors.js";
import { modelSettingsFromEnv, type ModelSettings } from "../from-env/models-from-env.js";
import type { TpoModels } from "../models/tpo-models.js";
import { CliUsageError } from "./errors.js";
import {
  flagOfField,
  MODEL_FLAGS,
  numberFlag,
  optionKey,
  SETTING_FLAGS,
  type ModelKey,
  type SettingField,
} from "./flag-tables.js";

export { addModelFlags, addSettingFlags, flagOfField, numberFlag, type NumberRule } from "./flag-tables.js";

/** The run-setting flags that were given, over the `--preset` when one was, as a context input (unparsed). */
export function settingsInput(options: Record<string, unknown>): TpoContextInput {
  const input: Partial<Record<SettingField, unknown>> = {};
  for (const { flag, field, numeric } of SETTING_FLAGS) {
    const value = options[optionKey(flag)];
    if (Array.isArray(value)) input[field] = value;
    if (typeof value !== "string") continue;
    input[field] = numeric ? numberFlag(flag, value) : value;
  }
  if (typeof options.preset !== "string") return input as TpoContextInput;
  try {
    return preset(options.preset, input as TpoContextInput);
  } catch (error) {
    if (error instanceof TpoSettingsError) throw new CliUsageError(`--preset: ${error.message}`);
    throw error;
  }
}

/** Parses settings with the graph's own schema; a bad value is a usage error naming its flag. */
export function parseSettings(
  input: TpoContextInput,
  flagOf: (field: string) => string = flagOfField,
): TpoContext {
  try {
    return parseTpoContext(input);
  } catch (error) {
    if (error instanceof TpoSettingsError) {
      throw new CliUsageError(`${flagOf(error.field)}: ${error.message}`);
    }
    throw error;
  }
}

function fromEnv(env: NodeJS.ProcessEnv): ModelSettings {
  try {
    return modelSettingsFromEnv(env);
  } catch (error) {
    if (error instanceof TpoConfigError) throw new CliUsageError(error.message);
    throw error;
  }
}

/** Model settings: the environment, with the flags that were given on top. */
export function modelSettings(options: Record<string, unknown>, env: NodeJS.ProcessEnv): ModelSettings {
  const settings: ModelSettings = fromEnv(env);
  for (const { flag, key, numeric } of MODEL_FLAGS) {
    const value = options[optionKey(flag)];
    if (typeof value !== "string" || !value.trim()) continue;
    if (!numeric) {
      (settings as Record<ModelKey, string | number | undefined>)[key] = value.trim();
      continue;
    }
    (settings as Record<ModelKey, string | number | undefined>)[key] = numberFlag(flag, value, {
      integer: true,
      min: 0,
    });
  }
  return settings;
}

/**
 * The models, refused when the settings ask for a dollar budget and the models have no prices: a
 * budget in money needs the money figures, and these are never guessed.
 */
export function pricedAsNeeded(models: TpoModels, context: Pick<TpoContext, "budgetUsd">): TpoModels {
  if (context.budgetUsd !== undefined && !models.prices) {
    throw new CliUsageError(
      "--max-cost needs the models' prices: give --prices FILE (TPO_PRICES) in LiteLLM's format, or --input-price, --output-price and --reward-price.",
    );
  }
  return models;
}
