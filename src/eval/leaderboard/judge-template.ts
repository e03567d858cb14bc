import { createHash } from "node:crypto";
import { basename } from "node:path";
import { TpoFileError } from "../../errors.js";
import type { JudgePrompt } from "./judging.js";

/** A ChatML block, as alpaca_eval writes its templates: `<|im_start|>role\n…<|im_end|>`. */
const CHATML_BLOCK = /<\|im_start\|>(system|user)\n([\s\S]*?)<\|im_end\|>/g;

/**
 * A judge template read from the file `path`: ChatML blocks (`<|im_start|>system … <|im_end|>` and
 * `<|im_start|>user … <|im_end|>`, the form of alpaca_eval's prompt files, into which
 * arena-hard-auto's `system_prompt` and `prompt_template` go as they are), or plain text, which is
 * the user message alone. It must name each placeholder of `placeholders`; a TpoFileError says
 * which it lacks, naming the file as `label` does (the CLI: `--judge-template <path>`). The
 * prompt's name is the file's name and a digest of its text.
 */
export function parseJudgeTemplate(
  text: string,
  path: string,
  placeholders: readonly string[],
  label = path,
): JudgePrompt {
  const blocks = [...text.matchAll(CHATML_BLOCK)];
  const part = (role: string) =>
    blocks
      .filter((b) => b[1] === role)
      .map((b) => b[2]!.trim())
      .join("\n\n");
  const template =
    blocks.length > 0 ? { system: part("system"), user: part("user") } : { system: "", user: text.trim() };
  if (template.user === "") throw new TpoFileError(`${label} has no user message.`);
  const whole = `${template.system}\n${template.user}`;
  const missing = placeholders.filter((p) => !whole.includes(`{${p}}`));
  if (missing.length > 0) {
    throw new TpoFileError(
      `${label} lacks the placeholder${missing.length > 1 ? "s" : ""} ${missing.map((p) => `{${p}}`).join(", ")}: ` +
        `this judge fills ${placeholders.map((p) => `{${p}}`).join(", ")}.`,
    );
  }
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 12);
  return { template, name: `file:${basename(path)}#${digest}` };
}
