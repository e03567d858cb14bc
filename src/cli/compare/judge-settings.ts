import { TpoJudgeError } from "../../errors.js";
import { resolveJudgeSettings, type JudgeSettings } from "../../from-env/judge-settings.js";
import { CliUsageError } from "../errors.js";
import { modelSettings, numberFlag } from "../flags.js";

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

function given(options: Record<string, unknown>, env: NodeJS.ProcessEnv, key: string, name: string) {
  const flag = options[key];
  if (typeof flag === "string" && flag.trim()) return flag.trim();
  return env[name]?.trim() || undefined;
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
  const maxTokens = given(options, env, "judgeMaxTokens", "TPO_JUDGE_MAX_TOKENS");
  const choice = {
    model: given(options, env, "judgeModel", "TPO_JUDGE_MODEL"),
    baseUrl: given(options, env, "judgeBaseUrl", "TPO_JUDGE_BASE_URL"),
    apiKey: given(options, env, "judgeApiKey", "TPO_JUDGE_API_KEY"),
    maxTokens:
      maxTokens === undefined
        ? undefined
        : numberFlag("--judge-max-tokens", maxTokens, { integer: true, min: 1 }),
  };
  try {
    return resolveJudgeSettings(choice, policy, recorded, recordedIn);
  } catch (error) {
    if (error instanceof TpoJudgeError) throw new CliUsageError(`${error.what}${JUDGE_FIXES[error.reason]}`);
    throw error;
  }
}
