import { Option, type Command } from "commander";
import { parseTpoContext, type TpoContext, type TpoContextInput } from "../graph/context.js";
import { TpoSettingsError } from "../errors.js";
import { modelSettingsFromEnv, type ModelSettings } from "../models/env.js";
import { CliUsageError } from "./errors.js";

/** Run-setting flags: flag name, context field, and whether the value is numeric. */
const SETTING_FLAGS = [
  {
    flag: "--width",
    field: "width",
    numeric: true,
    help: "search width N: responses per sampling or update (default 5)",
  },
  {
    flag: "--depth",
    field: "depth",
    numeric: true,
    help: "search depth D: critique-gradient-update iterations (default 2)",
  },
  { flag: "--mode", field: "mode", numeric: false, help: "tpo, revision or bon (default tpo)" },
  {
    flag: "--temperature",
    field: "temperature",
    numeric: true,
    help: "sampling temperature of generate and update (default 0.7)",
  },
  { flag: "--top-p", field: "topP", numeric: true, help: "top_p of generate and update (default 0.95)" },
  {
    flag: "--max-tokens",
    field: "maxTokens",
    numeric: true,
    help: "max tokens of each response (default 2048)",
  },
  { flag: "--seed", field: "seed", numeric: true, help: "sampling seed; sample i of a step uses seed + i" },
  { flag: "--sampling", field: "sampling", numeric: false, help: "auto, n or parallel (default auto)" },
  {
    flag: "--critic-temperature",
    field: "criticTemperature",
    numeric: true,
    help: "temperature of critique and gradient (default 0)",
  },
  {
    flag: "--critic-max-tokens",
    field: "criticMaxTokens",
    numeric: true,
    help: "max tokens of a critique or gradient (default 2048)",
  },
] as const;

/** Model flags: each mirrors an environment variable, and wins over it. */
const MODEL_FLAGS = [
  {
    flag: "--backend",
    key: "backend",
    env: "TPO_BACKEND",
    help: '"sim" for the offline simulated world, or "openai"',
  },
  {
    flag: "--base-url",
    key: "baseUrl",
    env: "OPENAI_BASE_URL",
    help: "an OpenAI-compatible server (vLLM, SGLang, Ollama, …)",
  },
  { flag: "--api-key", key: "apiKey", env: "OPENAI_API_KEY", help: "API key of the policy server" },
  { flag: "--model", key: "model", env: "TPO_MODEL", help: "policy model" },
  {
    flag: "--critic-model",
    key: "criticModel",
    env: "TPO_CRITIC_MODEL",
    help: "critic model (default: the policy)",
  },
  { flag: "--reward-url", key: "rewardUrl", env: "TPO_REWARD_URL", help: "reward-model server" },
  { flag: "--reward-kind", key: "rewardKind", env: "TPO_REWARD_KIND", help: "kind of reward server" },
  { flag: "--reward-model", key: "rewardModel", env: "TPO_REWARD_MODEL", help: "reward model name" },
  {
    flag: "--reward-api-key",
    key: "rewardApiKey",
    env: "TPO_REWARD_API_KEY",
    help: "API key of the reward server",
  },
] as const;

type SettingField = (typeof SETTING_FLAGS)[number]["field"];
type ModelKey = (typeof MODEL_FLAGS)[number]["key"];

/** commander's property name of a flag: --top-p → topP. */
function optionKey(flag: string): string {
  return flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function addSettingFlags(command: Command): Command {
  for (const { flag, help } of SETTING_FLAGS) command.addOption(new Option(`${flag} <value>`, help));
  return command;
}

export function addModelFlags(command: Command): Command {
  for (const { flag, env, help } of MODEL_FLAGS) {
    command.addOption(new Option(`${flag} <value>`, `${help} [env ${env}]`));
  }
  return command;
}

export function flagOfField(field: string): string {
  return SETTING_FLAGS.find((s) => s.field === field)?.flag ?? field;
}

/** The numeric value of a flag, or a usage error that names the flag. */
export function numberFlag(flag: string, value: string): number {
  const number = value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(number)) throw new CliUsageError(`${flag} must be a number, got "${value}".`);
  return number;
}

/** The run-setting flags that were given, as a context input (unparsed). */
export function settingsInput(options: Record<string, unknown>): TpoContextInput {
  const input: Partial<Record<SettingField, unknown>> = {};
  for (const { flag, field, numeric } of SETTING_FLAGS) {
    const value = options[optionKey(flag)];
    if (typeof value !== "string") continue;
    input[field] = numeric ? numberFlag(flag, value) : value;
  }
  return input as TpoContextInput;
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

/** Model settings: the environment, with the flags that were given on top. */
export function modelSettings(
  options: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ModelSettings {
  const settings: ModelSettings = modelSettingsFromEnv(env);
  for (const { flag, key } of MODEL_FLAGS) {
    const value = options[optionKey(flag)];
    if (typeof value === "string" && value.trim()) settings[key as ModelKey] = value.trim();
  }
  return settings;
}

/** What a record may say about the models: never a key. */
export function describeModels(settings: ModelSettings): Record<string, string> {
  const described: Record<string, string> = {};
  for (const key of [
    "backend",
    "baseUrl",
    "model",
    "criticModel",
    "rewardUrl",
    "rewardKind",
    "rewardModel",
  ] as const) {
    const value = settings[key];
    if (value) described[key] = value;
  }
  return described;
}
