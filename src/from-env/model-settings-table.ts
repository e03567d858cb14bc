// Light (no imports at run time): `tpo --help` declares the model flags from this table.
import type { ModelSettings } from "./models-from-env.js";

export type ModelKey = Exclude<keyof ModelSettings, "simulatedServer">;

/** One model setting: its flag, the flag's value name, its key in ModelSettings, its variable, its help. */
export interface ModelSetting {
  flag: string;
  arg: string;
  key: ModelKey;
  env: string;
  help: string;
  /** A whole number of 0 or more, rather than text. */
  numeric: boolean;
}

function model(
  flag: string,
  arg: string,
  key: ModelKey,
  env: string,
  help: string,
  numeric = false,
): ModelSetting {
  return { flag, arg, key, env, help, numeric };
}

/**
 * Every model setting, written once: `modelSettingsFromEnv` reads the variables from it, the CLI
 * declares and reads its flags from it (the flag wins over the variable), and
 * tests/model-settings-table.test.ts holds docs/cli.md's and docs/models.md's tables to it.
 */
export const MODEL_SETTINGS = [
  model(
    "--backend",
    "name",
    "backend",
    "TPO_BACKEND",
    '"sim" for the offline simulated world (refused next to a server URL or model), or "openai"',
  ),
  model(
    "--base-url",
    "url",
    "baseUrl",
    "OPENAI_BASE_URL",
    "an OpenAI-compatible server (vLLM, SGLang, Ollama, …), or several of the same model, comma-separated",
  ),
  model("--api-key", "key", "apiKey", "OPENAI_API_KEY", "API key of the policy server"),
  model("--model", "name", "model", "TPO_MODEL", "policy model"),
  model("--critic-model", "name", "criticModel", "TPO_CRITIC_MODEL", "critic model (default: the policy)"),
  model(
    "--critic-base-url",
    "url",
    "criticBaseUrl",
    "TPO_CRITIC_BASE_URL",
    "the critic's own server(s), comma-separated (default: the policy's)",
  ),
  model(
    "--critic-api-key",
    "key",
    "criticApiKey",
    "TPO_CRITIC_API_KEY",
    "API key of the critic's own server (default: --api-key when the critic uses the policy's)",
  ),
  model(
    "--reward-url",
    "url",
    "rewardUrl",
    "TPO_REWARD_URL",
    "reward-model server, or several of the same model, comma-separated",
  ),
  model("--reward-kind", "kind", "rewardKind", "TPO_REWARD_KIND", "kind of reward server"),
  model("--reward-model", "name", "rewardModel", "TPO_REWARD_MODEL", "reward model name"),
  model("--reward-api-key", "key", "rewardApiKey", "TPO_REWARD_API_KEY", "API key of the reward server"),
  model(
    "--reward-template",
    "template",
    "rewardTemplate",
    "TPO_REWARD_TEMPLATE",
    "chat template of a tei or sglang reward server: llama3 (default), tulu, chatml, or a JSON template file",
  ),
  model(
    "--reward-label",
    "index",
    "rewardLabel",
    "TPO_REWARD_LABEL",
    "which label (from 0) is the reward when a vLLM reward server returns several per item",
    true,
  ),
  model(
    "--max-retries",
    "n",
    "maxRetries",
    "TPO_MAX_RETRIES",
    "retries of a failed policy or critic request (default 3)",
    true,
  ),
  model(
    "--timeout-ms",
    "ms",
    "timeoutMs",
    "TPO_TIMEOUT_MS",
    "timeout of one attempt of a policy, critic or reward request",
    true,
  ),
  model(
    "--reward-timeout-ms",
    "ms",
    "rewardTimeoutMs",
    "TPO_REWARD_TIMEOUT_MS",
    "timeout of one attempt of a reward-server request (default: --timeout-ms, else 60 s)",
    true,
  ),
  model(
    "--affinity",
    "on|off",
    "affinity",
    "TPO_AFFINITY",
    "on (default): each query stays on one server of a list and sends its routing key; off: no key, requests in turn",
  ),
  model(
    "--cool-off-ms",
    "ms",
    "coolOffMs",
    "TPO_COOL_OFF_MS",
    "how long a failed server of a list gets no traffic before it is probed (default 10000)",
    true,
  ),
  model(
    "--prices",
    "file",
    "prices",
    "TPO_PRICES",
    "prices of the models in LiteLLM's format (its model_prices_and_context_window.json, or a file of that shape): costs in USD",
  ),
  model(
    "--input-price",
    "usd",
    "inputPrice",
    "TPO_INPUT_PRICE",
    "USD per million input tokens of the policy and critic (a shortcut for --prices; wins over it)",
  ),
  model(
    "--cached-input-price",
    "usd",
    "cachedInputPrice",
    "TPO_CACHED_INPUT_PRICE",
    "USD per million cached input tokens of the policy and critic (default: the input price)",
  ),
  model(
    "--output-price",
    "usd",
    "outputPrice",
    "TPO_OUTPUT_PRICE",
    "USD per million output tokens of the policy and critic",
  ),
  model("--reward-price", "usd", "rewardPrice", "TPO_REWARD_PRICE", "USD per reward request"),
];

/**
 * The judge's own settings (`tpo compare`, `tpo eval`; from-env/judge-settings.ts), each flag
 * mirroring its variable and winning over it; what they leave open comes from the policy's.
 */
export const JUDGE_SETTINGS = [
  { flag: "--judge-model", arg: "name", key: "model", env: "TPO_JUDGE_MODEL", help: "the judge model" },
  {
    flag: "--judge-base-url",
    arg: "url",
    key: "baseUrl",
    env: "TPO_JUDGE_BASE_URL",
    help: "the judge's OpenAI-compatible server, or several comma-separated (default: the policy's)",
  },
  {
    flag: "--judge-api-key",
    arg: "key",
    key: "apiKey",
    env: "TPO_JUDGE_API_KEY",
    help: "API key of the judge's server (default: OPENAI_API_KEY when the judge uses the policy's server)",
  },
  {
    flag: "--judge-max-tokens",
    arg: "n",
    key: "maxTokens",
    env: "TPO_JUDGE_MAX_TOKENS",
    help: "tokens the judge may write per verdict (max_tokens; default 1024)",
  },
] as const;
