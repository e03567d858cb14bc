/**
 * The CLI's flag tables as data, and the parts of flag handling that `--help` needs: declaring the
 * options on a commander command, and reading one number. Loaded by every command's declaration,
 * so it imports nothing heavy (no zod, no LangChain): the parsing lives in ./flags.ts.
 */
import { Option, type Command } from "commander";
import { TPO_PRESET_NAMES } from "../settings/presets.js";
import type { TpoContext } from "../settings/run-settings.js";
import { JUDGE_SETTINGS, MODEL_SETTINGS, type ModelKey } from "../from-env/model-settings-table.js";
import { DEFAULT_RUN_CAPS } from "../settings/caps.js";
import { CliUsageError } from "./errors.js";

export type SettingField = keyof TpoContext;
export type { ModelKey };

function setting(
  flag: string,
  arg: string,
  field: SettingField,
  numeric: boolean,
  help: string,
  list = false,
) {
  return { flag, arg, field, numeric, help, list };
}

/** A flag that may be given more than once, each value one more item of a list setting. */
function listSetting(flag: string, arg: string, field: SettingField, help: string) {
  return setting(flag, arg, field, false, `${help}; repeat the flag for more`, true);
}

/** Run-setting flags: flag, its value's name, context field, whether numeric, help. */
export const SETTING_FLAGS = [
  setting("--width", "n", "width", true, "search width N: responses per sampling or update (default 5)"),
  setting("--depth", "n", "depth", true, "search depth D: critique-gradient-update iterations (default 2)"),
  setting("--mode", "mode", "mode", false, "tpo, revision or bon (default tpo)"),
  setting(
    "--temperature",
    "x",
    "temperature",
    true,
    "sampling temperature of generate and update (default 0.7)",
  ),
  setting("--top-p", "x", "topP", true, "top_p of generate and update (default 0.95)"),
  setting("--max-tokens", "n", "maxTokens", true, "max tokens of each response (default 2048)"),
  setting("--seed", "n", "seed", true, "sampling seed, used as --seed-scheme says (default: unset)"),
  setting(
    "--seed-scheme",
    "scheme",
    "seedScheme",
    false,
    "spread (default: seed + k·width + i) or reference (the seed on every generate and update request, none on the critic's)",
  ),
  listSetting("--stop", "text", "stop", "a stop string of generate and update requests"),
  setting("--sampling", "method", "sampling", false, "auto, n or parallel (default auto)"),
  setting(
    "--critic-temperature",
    "x",
    "criticTemperature",
    true,
    "temperature of critique and gradient (default 0.7)",
  ),
  setting("--critic-top-p", "x", "criticTopP", true, "top_p of critique and gradient (default 0.99)"),
  setting(
    "--critic-max-tokens",
    "n",
    "criticMaxTokens",
    true,
    "max tokens of a critique or gradient (default 2048)",
  ),
  listSetting("--critic-stop", "text", "criticStop", "a stop string of critique and gradient requests"),
  setting(
    "--untagged-rewrites",
    "policy",
    "untaggedRewrites",
    false,
    "update outputs without the response tags: drop (default) or keep them whole",
  ),
  setting(
    "--critic-layout",
    "layout",
    "criticLayout",
    false,
    "separate (default) or conversation: the critic's steps as one conversation, for prefix caching",
  ),
  setting("--target-score", "x", "targetScore", true, "stop once the best score reaches x (default: none)"),
  setting("--patience", "k", "patience", true, "stop after k iterations in a row without a better score"),
  setting("--budget-tokens", "t", "budgetTokens", true, "start no iteration that would pass t tokens"),
  setting("--budget-requests", "r", "budgetRequests", true, "start no iteration that would pass r requests"),
  setting(
    "--max-cost",
    "usd",
    "budgetUsd",
    true,
    "start no iteration that would pass this many US dollars (needs --prices or the price flags)",
  ),
  setting(
    "--system-prompt",
    "text",
    "systemPrompt",
    false,
    "system prompt shown to the policy when it samples (default: none)",
  ),
];

/** Model flags: each mirrors an environment variable, and wins over it (one table: from-env/model-settings-table.ts). */
export const MODEL_FLAGS = MODEL_SETTINGS;

/** commander's property name of a flag: --top-p → topP. */
export function optionKey(flag: string): string {
  return flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function addSettingFlags(command: Command): Command {
  command.addOption(
    new Option(
      "--preset <name>",
      `start from a named set of settings; other flags override it (${TPO_PRESET_NAMES.join(", ")}; ` +
        "official: the reference implementation's example run)",
    ),
  );
  for (const { flag, arg, help, list } of SETTING_FLAGS) {
    const option = new Option(`${flag} <${arg}>`, help);
    if (list)
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(option);
  }
  return command;
}

export function addModelFlags(command: Command): Command {
  for (const { flag, arg, env, help } of MODEL_FLAGS) {
    command.addOption(new Option(`${flag} <${arg}>`, `${help} [env ${env}]`));
  }
  return command;
}

/**
 * The caps of a front end that runs other people's queries (`tpo serve`, `tpo mcp`, `tpo worker`;
 * checked by capsOfFlags in ./serve-options.ts): flag and value, help, default.
 */
export function capFlags(asker: string, tokens: string): [string, string, string][] {
  return [
    ["--max-width <n>", `largest width ${asker} may ask for`, String(DEFAULT_RUN_CAPS.maxWidth)],
    ["--max-depth <n>", `largest depth ${asker} may ask for`, String(DEFAULT_RUN_CAPS.maxDepth)],
    ["--max-tokens <n>", `largest ${tokens} ${asker} may ask for`, String(DEFAULT_RUN_CAPS.maxTokens)],
  ];
}

/** The flags of `tpo serve` (checked by ./serve-options.ts): flag and value, help, default. */
export const SERVE_FLAGS: ReadonlyArray<readonly [string, string, string?]> = [
  ["--port <n>", "port to listen on (0: any free port)", "8080"],
  ["--host <host>", "address to bind; 0.0.0.0 exposes the server to the network", "127.0.0.1"],
  ["--max-concurrent-runs <n>", "TPO runs at once; more get 429", "4"],
  [
    "--grace <seconds>",
    "on SIGTERM/SIGINT, how long runs in flight may finish before they are cancelled",
    "10",
  ],
  [
    "--progress <mode>",
    "reasoning: answers carry the run's progress as reasoning_content (streamed per iteration, " +
      'shown as "thinking" by chat UIs) before the answer; off: the answer alone. ' +
      'A request\'s "tpo": { "progress" } overrides it',
    "off",
  ],
  [
    "--models <list>",
    "comma-separated model names clients may ask for besides the configured one (each is sent upstream as the policy model)",
  ],
  ...capFlags("a request", "max_tokens (and tpo.maxTokens, tpo.criticMaxTokens)"),
  [
    "--cors-origin <list>",
    'comma-separated origins whose web pages may call the server (e.g. https://app.example; "*" for any); default none',
  ],
  [
    "--allowed-hosts <list>",
    "comma-separated host names accepted in the Host header besides localhost and the bound address (e.g. a proxy's name)",
  ],
  ["--max-connections <n>", "open connections at most; more are closed at once", "64"],
  ["--request-timeout <seconds>", "time a client has to send a whole request (headers: 10 s at most)", "30"],
  [
    "--ui",
    "serve the playground page at /: run a prompt and watch each iteration in the browser (same token, Host and caps as the API)",
  ],
];

export function addServeFlags(command: Command): Command {
  for (const [flag, help, fallback] of SERVE_FLAGS) command.option(flag, help, fallback);
  return command;
}

/** The flags of `tpo mcp` (checked by ./mcp-options.ts): flag and value, help, default. */
export const MCP_FLAGS: ReadonlyArray<readonly [string, string, string?]> = [
  ...capFlags("a call", "maxTokens"),
  ["--max-concurrent-runs <n>", "TPO runs at once; a call beyond them gets a tool error", "4"],
  [
    "--http <port>",
    "serve over streamable HTTP (POST/GET/DELETE /mcp) on this port instead of standard input and output (0: any free port)",
  ],
  ["--host <host>", "with --http: address to bind; 0.0.0.0 exposes the server to the network", "127.0.0.1"],
  [
    "--allowed-hosts <list>",
    "with --http: comma-separated host names accepted in the Host header besides localhost and the bound address",
  ],
];

export function addMcpFlags(command: Command): Command {
  for (const [flag, help, fallback] of MCP_FLAGS) command.option(flag, help, fallback);
  return command;
}

/**
 * The policy flags that the judge falls back to, as `tpo batch` reads them (same names, same
 * variables). Compare needs no reward model, so the reward flags are left out.
 */
export const JUDGE_POLICY_FLAGS = [
  ["--backend <name>", '"sim" for the offline simulated world, or "openai" [env TPO_BACKEND]'],
  ["--base-url <url>", "the policy's OpenAI-compatible server [env OPENAI_BASE_URL]"],
  ["--api-key <key>", "API key of the policy's server [env OPENAI_API_KEY]"],
  ["--model <name>", "the policy model [env TPO_MODEL]"],
  [
    "--max-retries <n>",
    "retries of a failed judge request, and of an invalid verdict (default 3) [env TPO_MAX_RETRIES]",
  ],
  ["--timeout-ms <ms>", "timeout of one judge request [env TPO_TIMEOUT_MS]"],
  ["--prices <file>", "prices in LiteLLM's format: the judge's entry prices its verdicts [env TPO_PRICES]"],
  ["--input-price <usd>", "USD per million input tokens of the judge [env TPO_INPUT_PRICE]"],
  [
    "--cached-input-price <usd>",
    "USD per million cached input tokens of the judge [env TPO_CACHED_INPUT_PRICE]",
  ],
  ["--output-price <usd>", "USD per million output tokens of the judge [env TPO_OUTPUT_PRICE]"],
] as const;

export function addJudgeFlags(command: Command): Command {
  for (const { flag, arg, env, help } of JUDGE_SETTINGS) {
    command.addOption(new Option(`${flag} <${arg}>`, `${help} [env ${env}]`));
  }
  for (const [flag, help] of JUDGE_POLICY_FLAGS) command.addOption(new Option(flag, help));
  return command;
}

export function flagOfField(field: string): string {
  const name = field.split(".")[0];
  return SETTING_FLAGS.find((s) => s.field === name)?.flag ?? field;
}

/** What a numeric flag accepts beyond a finite number. */
export interface NumberRule {
  integer?: boolean;
  min?: number;
}

/** The numeric value of a flag, or a usage error that names the flag and what it takes. */
export function numberFlag(flag: string, value: string, { integer = false, min }: NumberRule = {}): number {
  const number = value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(number)) throw new CliUsageError(`${flag} must be a number, got "${value}".`);
  if ((integer && !Number.isInteger(number)) || (min !== undefined && number < min)) {
    const bound = min === undefined ? "" : min === 0 ? " of 0 or more" : ` of at least ${min}`;
    throw new CliUsageError(
      `${flag} must be ${integer ? "a whole number" : "a number"}${bound}, got "${value}".`,
    );
  }
  return number;
}

/** The `--cache` flag of `tpo run`, `tpo batch` and `tpo worker` (docs/cache.md). */
/** `--cache` of the commands that judge (`tpo compare`, `tpo eval alpaca-eval|arena-hard`). */
export const JUDGE_CACHE_FLAG = [
  "--cache <file|postgres://url>",
  "keep the judge's verdicts in a SQLite file or a PostgreSQL database and reuse them: a verdict there is not asked again (docs/cache.md)",
] as const;

export const CACHE_FLAG = [
  "--cache <file|postgres://url>",
  "keep reward scores and seeded responses in a SQLite file or a PostgreSQL database and reuse them: a request answered there is not sent (docs/cache.md)",
] as const;
