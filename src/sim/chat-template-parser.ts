import { contentText } from "../messages/conversation.js";

/** A chat message as OpenAI-compatible servers receive it. */
export interface WireMessage {
  role: string;
  content?: unknown;
}

/** The last message of `role`, or "" when there is none. */
export function lastOfRole(messages: WireMessage[], role: string): string {
  const found = [...messages].reverse().find((m) => m.role === role);
  return found ? contentText(found.content) : "";
}

/**
 * The begin-of-text token of the simulated reward model's tokenizer (a Llama-3 one). Like TEI and
 * SGLang, the simulated servers add it to every text they tokenize.
 */
export const SIM_BOS = "<|begin_of_text|>";

const LLAMA3_BLOCK = /<\|start_header_id\|>(\w+)<\|end_header_id\|>\n\n([\s\S]*?)(?:<\|eot_id\|>|$)/g;
const CHATML_BLOCK = /<\|im_start\|>(\w+)\n([\s\S]*?)(?:<\|im_end\|>\n?|$)/g;
const TULU_BLOCK = /<\|(system|user|assistant)\|>\n([\s\S]*?)(?=<\|(?:system|user|assistant)\|>\n|$)/g;
const TULU_EOS = "<|end_of_text|>";

/**
 * Renders messages with the Llama-3 chat template as TEI and SGLang reward clients send them:
 * without the begin-of-text token, which those servers add themselves.
 */
export function llama3Template(messages: WireMessage[]): string {
  return messages
    .map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${contentText(m.content)}<|eot_id|>`)
    .join("");
}

/** The messages of a Llama-3-templated text (the inverse of llama3Template). */
export function parseLlama3(text: string): WireMessage[] {
  return [...text.matchAll(LLAMA3_BLOCK)].map((match) => ({ role: match[1], content: match[2] }));
}

/** A Tülu turn's content: the template puts `\n` after user and system turns, eos (+ `\n`) after assistant ones. */
function tuluContent(role: string, raw: string): string {
  if (role !== "assistant") return raw.endsWith("\n") ? raw.slice(0, -1) : raw;
  const body = raw.endsWith("\n") ? raw.slice(0, -1) : raw;
  return body.endsWith(TULU_EOS) ? body.slice(0, -TULU_EOS.length) : body;
}

/**
 * The messages of a text in one of the templates the reward clients render (Llama-3, ChatML or
 * Tülu), found by their markers; no messages when the text has none of them.
 */
export function parseTemplated(text: string): WireMessage[] {
  if (text.includes("<|start_header_id|>")) return parseLlama3(text);
  if (text.includes("<|im_start|>")) {
    return [...text.matchAll(CHATML_BLOCK)].map((match) => ({ role: match[1], content: match[2] }));
  }
  return [...text.matchAll(TULU_BLOCK)].map((match) => ({
    role: match[1],
    content: tuluContent(match[1], match[2]),
  }));
}
