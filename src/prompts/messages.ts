import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { PromptTemplate } from "./template.js";
import { fillTemplate } from "./template.js";

/** A prompt template filled with `values`, as a system message and a user message. */
export function promptMessages(template: PromptTemplate, values: Record<string, string>): BaseMessage[] {
  return [
    new SystemMessage(fillTemplate(template.system, values)),
    new HumanMessage(fillTemplate(template.user, values)),
  ];
}
