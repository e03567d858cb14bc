import type { BaseMessage } from "@langchain/core/messages";
import { fillTemplate } from "../prompts/template.js";

/** A chat turn as reward servers take it. */
export interface ChatTurn {
  role: string;
  content: string;
}

/**
 * How a conversation becomes the one text that TEI and SGLang score: `begin`, then `turn` for each
 * message with `{role}` and `{content}` filled in, then `end`. `roles` renames the roles
 * (`system`, `user`, `assistant`) for templates that call them otherwise.
 */
export interface ChatTemplate {
  begin?: string;
  turn: string;
  end?: string;
  roles?: Partial<Record<string, string>>;
}

/**
 * The Llama-3 chat template (that of FsfairX-LLaMA3-RM, the paper's reward model). It starts with
 * `<|begin_of_text|>`; if the server's tokenizer adds that token itself, use
 * `{ ...LLAMA3_CHAT_TEMPLATE, begin: "" }` so that it is not there twice.
 */
export const LLAMA3_CHAT_TEMPLATE: ChatTemplate = {
  begin: "<|begin_of_text|>",
  turn: "<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>",
};

const ROLE_BY_TYPE: Record<string, string> = { human: "user", ai: "assistant", system: "system" };

/** The conversation and the response as `{ role, content }` turns, the response last. */
export function chatTurns(messages: BaseMessage[], response: string): ChatTurn[] {
  return [
    ...messages.map((m) => ({ role: ROLE_BY_TYPE[m.getType()] ?? m.getType(), content: m.text })),
    { role: "assistant", content: response },
  ];
}

/** A template object, a `turn` string alone, or a function of the turns. */
export type ChatTemplateOption = ChatTemplate | string | ((turns: ChatTurn[]) => string);

export function applyChatTemplate(template: ChatTemplateOption, turns: ChatTurn[]): string {
  if (typeof template === "function") return template(turns);
  const t = typeof template === "string" ? { turn: template } : template;
  const body = turns
    .map((turn) => fillTemplate(t.turn, { role: t.roles?.[turn.role] ?? turn.role, content: turn.content }))
    .join("");
  return `${t.begin ?? ""}${body}${t.end ?? ""}`;
}
