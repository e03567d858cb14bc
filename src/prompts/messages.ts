import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { ConversationTemplate } from "./conversation.js";
import type { PromptTemplate } from "./template.js";
import { fillTemplate } from "./template.js";

/** A prompt template filled with `values`, as a system message and a user message. */
export function promptMessages(template: PromptTemplate, values: Record<string, string>): BaseMessage[] {
  return [
    new SystemMessage(fillTemplate(template.system, values)),
    new HumanMessage(fillTemplate(template.user, values)),
  ];
}

/**
 * The request of a critic step in layout `conversation`: the system message, the context with the
 * critique's instruction, then for the gradient the critique and the gradient's instruction, and
 * for the update also the suggestions and the update's instruction. Each step's messages start
 * with the previous step's. (The context and the first instruction share a user turn, so that
 * user and assistant turns alternate, as some chat templates demand.)
 */
export function conversationMessages(
  template: ConversationTemplate,
  values: Record<string, string>,
  step: "critique" | "gradient" | "update",
): BaseMessage[] {
  const fill = (text: string) => fillTemplate(text, values);
  const messages: BaseMessage[] = [
    new SystemMessage(fill(template.system)),
    new HumanMessage(`${fill(template.context)}\n\n${fill(template.critique)}`),
  ];
  if (step === "critique") return messages;
  messages.push(new AIMessage(values.critique ?? ""), new HumanMessage(fill(template.gradient)));
  if (step === "gradient") return messages;
  messages.push(new AIMessage(values.gradient ?? ""), new HumanMessage(fill(template.update)));
  return messages;
}
