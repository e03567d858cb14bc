import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { TpoInputError } from "../errors.js";
import type { TpoStateType } from "./state.js";

/**
 * The conversation the response answers: the messages, then the query (when one is given) as a
 * new user turn. Generate folds the query into the messages, so a thread can be asked again with
 * a new `{ query }` after an answer.
 */
export function conversationOf(state: Pick<TpoStateType, "messages" | "query">): BaseMessage[] {
  const conversation = state.query?.trim()
    ? [...state.messages, new HumanMessage(state.query)]
    : state.messages;
  if (conversation.length === 0) {
    throw new TpoInputError(
      'No query: invoke the graph with { query: "..." } or { messages: [...] } ending with a user turn.',
    );
  }
  const last = conversation[conversation.length - 1];
  if (!HumanMessage.isInstance(last)) {
    throw new TpoInputError(
      `The conversation must end with a user turn, but its last message is of type "${last.getType()}". ` +
        `Pass { messages } ending with a HumanMessage, or a new { query: "..." }.`,
    );
  }
  return conversation;
}

/**
 * The query as prompts show it: the user's text for a single turn; for a longer conversation, a
 * transcript whose last "User:" turn is the one being answered.
 */
export function queryText(conversation: BaseMessage[]): string {
  if (conversation.length === 1) return conversation[0].text;
  return conversation
    .map(
      (m) =>
        `${HumanMessage.isInstance(m) ? "User" : AIMessage.isInstance(m) ? "Assistant" : "System"}: ${m.text}`,
    )
    .join("\n\n");
}
