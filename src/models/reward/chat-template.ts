import type { BaseMessage } from "@langchain/core/messages";
import { fillTemplate } from "../../prompts/template.js";
import { turnsOf, type ChatTurn } from "../../messages/conversation.js";

export type { ChatTurn };

/**
 * How a conversation becomes the one text that TEI and SGLang score: `bos` (only for servers that
 * do not add it themselves), `begin`, then one turn per message, then `end`. A turn is rendered
 * with its role's format in `turns`, else with `turn`; the last turn (the response being scored)
 * with `last` when it is set. Formats have `{role}` and `{content}` placeholders; `roles` renames
 * the roles (`system`, `user`, `assistant`) that `{role}` shows, for templates that call them
 * otherwise (`turns` is keyed by the original role).
 */
export interface ChatTemplate {
  /**
   * The tokenizer's begin-of-sequence token, e.g. `<|begin_of_text|>`. Kept apart from `begin`
   * because TEI and SGLang tokenize with the tokenizer's special tokens, so they add it
   * themselves: the client leaves it out for them (see `serverAddsBos` in reward-kinds.ts).
   */
  bos?: string;
  begin?: string;
  turn: string;
  turns?: Partial<Record<string, string>>;
  last?: string;
  end?: string;
  roles?: Partial<Record<string, string>>;
}

/** The begin-of-text token of the Llama-3 tokenizers (Llama 3, 3.1 and the models built on them). */
export const LLAMA3_BOS = "<|begin_of_text|>";

/**
 * The Llama-3 chat template (that of FsfairX-LLaMA3-RM, the paper's reward model):
 * `<|begin_of_text|>` then `<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>` per
 * turn. The begin-of-text token is `bos`, so that servers which add it get it once.
 */
export const LLAMA3_CHAT_TEMPLATE: ChatTemplate = {
  bos: LLAMA3_BOS,
  turn: "<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>",
};

/**
 * The Tülu 3 chat template (Llama-3.1-Tulu-3-8B-RM, one of the paper's reward models), as
 * `CHAT_TEMPLATES["tulu"]` of allenai/open-instruct (open_instruct/dataset_transformation.py):
 * `<|system|>\n…\n`, `<|user|>\n…\n`, `<|assistant|>\n…` + eos_token, with `\n` after an assistant
 * turn that is not the last. The eos_token of the Llama-3.1 tokenizer it uses is `<|end_of_text|>`
 * (id 128001; the model card's example writes `<|endoftext|>`, which that tokenizer does not
 * have as a token). The template itself renders no begin-of-text token.
 */
export const TULU_CHAT_TEMPLATE: ChatTemplate = {
  turn: "<|{role}|>\n{content}\n",
  turns: { assistant: "<|assistant|>\n{content}<|end_of_text|>\n" },
  last: "<|assistant|>\n{content}<|end_of_text|>",
};

/** ChatML (`<|im_start|>{role}\n{content}<|im_end|>\n` per turn), as Qwen-based reward models use. */
export const CHATML_CHAT_TEMPLATE: ChatTemplate = {
  turn: "<|im_start|>{role}\n{content}<|im_end|>\n",
};

/** The templates that `--reward-template` / TPO_REWARD_TEMPLATE name. */
export const CHAT_TEMPLATES = {
  llama3: LLAMA3_CHAT_TEMPLATE,
  tulu: TULU_CHAT_TEMPLATE,
  chatml: CHATML_CHAT_TEMPLATE,
} as const satisfies Record<string, ChatTemplate>;

export type ChatTemplateName = keyof typeof CHAT_TEMPLATES;

/** The conversation and the response as `{ role, content }` turns, the response last. */
export function chatTurns(messages: BaseMessage[], response: string): ChatTurn[] {
  return [...turnsOf(messages), { role: "assistant", content: response }];
}

/** A template object, a `turn` string alone, or a function of the turns. */
export type ChatTemplateOption = ChatTemplate | string | ((turns: ChatTurn[]) => string);

export interface ApplyChatTemplateOptions {
  /** Render the template's `bos` (default true); false for servers that add it themselves. */
  bos?: boolean;
}

function formatOf(t: ChatTemplate, turn: ChatTurn, isLast: boolean): string {
  if (isLast && t.last !== undefined) return t.last;
  return t.turns?.[turn.role] ?? t.turn;
}

export function applyChatTemplate(
  template: ChatTemplateOption,
  turns: ChatTurn[],
  options: ApplyChatTemplateOptions = {},
): string {
  if (typeof template === "function") return template(turns);
  const t = typeof template === "string" ? { turn: template } : template;
  const body = turns
    .map((turn, i) =>
      fillTemplate(formatOf(t, turn, i === turns.length - 1), {
        role: t.roles?.[turn.role] ?? turn.role,
        content: turn.content,
      }),
    )
    .join("");
  const bos = options.bos === false ? "" : (t.bos ?? "");
  return `${bos}${t.begin ?? ""}${body}${t.end ?? ""}`;
}
