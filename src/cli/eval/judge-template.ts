import { TpoFileError } from "../../errors.js";
import { parseJudgeTemplate } from "../../eval/leaderboard/judge-template.js";
import type { JudgePrompt } from "../../eval/leaderboard/judging.js";
import { CliUsageError } from "../errors.js";
import { readTextInput } from "../read-input.js";

/** The judge template of `--judge-template <path>` (`parseJudgeTemplate`); an unusable one is a usage error. */
export function readJudgeTemplate(path: string, placeholders: readonly string[]): JudgePrompt {
  const text = readTextInput(path, "--judge-template");
  try {
    return parseJudgeTemplate(text, path, placeholders, `--judge-template ${path}`);
  } catch (error) {
    if (error instanceof TpoFileError) throw new CliUsageError(error.message);
    throw error;
  }
}

/** The prompt of `--judge-template <path>` when given, else the command's own (`builtIn`). */
export function judgePromptOf(
  path: string | undefined,
  placeholders: readonly string[],
  builtIn: JudgePrompt,
): JudgePrompt {
  return path ? readJudgeTemplate(path, placeholders) : builtIn;
}
