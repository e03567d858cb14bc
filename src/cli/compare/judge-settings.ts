import { TpoJudgeError } from "../../errors.js";
import { resolveJudgeSettings, type JudgeSettings } from "../../from-env/judge-settings.js";
import { CliUsageError } from "../errors.js";
import { modelSettings, numberFlag } from "../flags.js";
import { optionKey } from "../flag-tables.js";
import { JUDGE_SETTINGS } from "../../from-env/model-settings-table.js";

export { describeJudge, judgeChatModel, type JudgeSettings } from "../../from-env/judge-settings.js";

/** The way out of each TpoJudgeError, in flags. */
const JUDGE_FIXES: Record<TpoJudgeError["reason"], string> = {
  "server-in-file":
    "; name the judge yourself with --judge-base-url <url> and --judge-model <name> (or TPO_JUDGE_BASE_URL and TPO_JUDGE_MODEL).",
  none:
    ": give --judge-model (and --judge-base-url for a server other than OpenAI), " +
    "or TPO_JUDGE_MODEL and TPO_JUDGE_BASE_URL; the judge defaults to the policy (TPO_MODEL, OPENAI_BASE_URL), " +
    "and TPO_BACKEND=sim judges in the simulated world.",
};

/** A flag's value, else its variable's; blank is unset. */
function given(flag: unknown, variable: string | undefined): string | undefined {
  if (typeof flag === "string" && flag.trim()) return flag.trim();
  return variable?.trim() || undefined;
}

/**
 * The judge of `tpo compare` and `tpo eval`: the --judge-* flags over the TPO_JUDGE_* variables,
 * and the policy's flags and variables (as `tpo batch` reads them) for what they leave open
 * (from-env/judge-settings.ts says how).
 */
export function judgeSettings(
  options: Record<string, unknown>,
  recorded: Record<string, string> | undefined,
  env: NodeJS.ProcessEnv,
  recordedIn?: string,
): JudgeSettings {
  const policy = modelSettings(options, env);
  const text = Object.fromEntries(
    JUDGE_SETTINGS.map(({ flag, key, env: name }) => [key, given(options[optionKey(flag)], env[name])]),
  ) as Record<(typeof JUDGE_SETTINGS)[number]["key"], string | undefined>;
  const choice = {
    ...text,
    maxTokens:
      text.maxTokens === undefined
        ? undefined
        : numberFlag("--judge-max-tokens", text.maxTokens, { integer: true, min: 1 }),
  };
  try {
    return resolveJudgeSettings(choice, policy, recorded, recordedIn);
  } catch (error) {
    if (error instanceof TpoJudgeError) throw new CliUsageError(`${error.what}${JUDGE_FIXES[error.reason]}`);
    throw error;
  }
}
