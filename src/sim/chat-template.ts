import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";

/** A chat message as OpenAI-compatible servers receive it. */
export interface WireMessage {
  role: string;
  content?: unknown;
}

/** The text of an OpenAI message content: a string, or the text parts of a content array. */
export function wireText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) =>
      typeof part === "string"
        ? part
        : part && typeof part === "object" && "text" in part
          ? String((part as { text: unknown }).text)
          : "",
    )
    .join("");
}

/** OpenAI message JSON as LangChain messages, so the sim server reads prompts as SimChatModel does. */
export function toLangChainMessages(messages: WireMessage[]): BaseMessage[] {
  return messages.map((m) => {
    const text = wireText(m.content);
    if (m.role === "system" || m.role === "developer") return new SystemMessage(text);
    if (m.role === "assistant") return new AIMessage(text);
    return new HumanMessage(text);
  });
}

/** The last message of `role`, or "" when there is none. */
export function lastOfRole(messages: WireMessage[], role: string): string {
  const found = [...messages].reverse().find((m) => m.role === role);
  return found ? wireText(found.content) : "";
}

const LLAMA3_BLOCK = /<\|start_header_id\|>(\w+)<\|end_header_id\|>\n\n([\s\S]*?)(?:<\|eot_id\|>|$)/g;

/** Renders messages with the Llama-3 chat template, as TEI and SGLang reward clients send them. */
export function llama3Template(messages: WireMessage[]): string {
  return (
    "<|begin_of_text|>" +
    messages
      .map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${wireText(m.content)}<|eot_id|>`)
      .join("")
  );
}

/** The messages of a Llama-3-templated text (the inverse of llama3Template). */
export function parseLlama3(text: string): WireMessage[] {
  return [...text.matchAll(LLAMA3_BLOCK)].map((match) => ({ role: match[1], content: match[2] }));
}
