import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { JudgePrompt } from "../../eval/leaderboard/judging.js";
import { CliUsageError } from "../errors.js";
import { readTextInput } from "../read-input.js";

/** A ChatML block, as alpaca_eval writes its templates: `<|im_start|>role\n…<|im_end|>`. */
const CHATML_BLOCK = /<\|im_start\|>(system|user)\n([\s\S]*?)<\|im_end\|>/g;

/**
 * A judge template from a file: ChatML blocks (`<|im_start|>system … <|im_end|>` and
 * `<|im_start|>user … <|im_end|>`, the form of alpaca_eval's prompt files, into which
 * arena-hard-auto's `system_prompt` and `prompt_template` go as they are), or plain text, which is
 * the user message alone. It must name each placeholder of `placeholders`.
 */
export function readJudgeTemplate(path: string, placeholders: readonly string[]): JudgePrompt {
  const text = readTextInput(path, "--judge-template");
  const blocks = [...text.matchAll(CHATML_BLOCK)];
  const part = (role: string) =>
    blocks
      .filter((b) => b[1] === role)
      .map((b) => b[2]!.trim())
      .join("\n\n");
  const template =
    blocks.length > 0 ? { system: part("system"), user: part("user") } : { system: "", user: text.trim() };
  if (template.user === "") throw new CliUsageError(`--judge-template ${path} has no user message.`);
  const whole = `${template.system}\n${template.user}`;
  const missing = placeholders.filter((p) => !whole.includes(`{${p}}`));
  if (missing.length > 0) {
    throw new CliUsageError(
      `--judge-template ${path} lacks the placeholder${missing.length > 1 ? "s" : ""} ${missing.map((p) => `{${p}}`).join(", ")}: ` +
        `this judge fills ${placeholders.map((p) => `{${p}}`).join(", ")}.`,
    );
  }
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 12);
  return { template, name: `file:${basename(path)}#${digest}` };
}

/** The prompt of `--judge-template <path>` when given, else the command's own (`builtIn`). */
export function judgePromptOf(
  path: string | undefined,
  placeholders: readonly string[],
  builtIn: JudgePrompt,
): JudgePrompt {
  return path ? readJudgeTemplate(path, placeholders) : builtIn;
}
