import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { TpoInputError } from "../errors.js";

/** A conversation turn with text content, as OpenAI's chat API, reward servers and records take it. */
export interface ChatTurn {
  role: string;
  content: string;
}

/**
 * The text of a turn's content, as a message's `.text` reads it: a string as it is, the text parts
 * of a content array joined, "" for anything else.
 */
export function contentText(content: unknown): string {
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

const MESSAGE_OF_ROLE: Record<string, new (text: string) => BaseMessage> = {
  user: HumanMessage,
  human: HumanMessage,
  assistant: AIMessage,
  ai: AIMessage,
  system: SystemMessage,
  developer: SystemMessage,
};

/**
 * OpenAI's `{ role, content }` turns as LangChain messages, their content as text. Throws a
 * TpoInputError when the turns are not a non-empty array, or naming the turn (`messages[2]`) whose
 * role is not system (or developer), user or assistant, or whose content is neither a string nor
 * an array of parts.
 */
export function messagesFromTurns(turns: unknown): BaseMessage[] {
  if (!Array.isArray(turns) || turns.length === 0) {
    throw new TpoInputError('"messages" must be a non-empty array of { "role", "content" } objects');
  }
  return turns.map((turn: unknown, index) => {
    const { role, content } = (turn ?? {}) as { role?: unknown; content?: unknown };
    const Message =
      typeof role === "string" && Object.hasOwn(MESSAGE_OF_ROLE, role) ? MESSAGE_OF_ROLE[role] : null;
    if (!Message) {
      throw new TpoInputError(
        `messages[${index}] has role ${JSON.stringify(role)}; use "system", "user" or "assistant"`,
      );
    }
    if (typeof content !== "string" && !Array.isArray(content)) {
      throw new TpoInputError(`messages[${index}] has no "content" string or array of text parts`);
    }
    return new Message(contentText(content));
  });
}

/** A message's role as OpenAI's chat API names it: user, assistant, system (or its own type). */
export function roleOf(message: BaseMessage): string {
  const type = message.getType();
  return type === "human" ? "user" : type === "ai" ? "assistant" : type;
}

/** Messages as `{ role, content }` turns, the inverse of messagesFromTurns. */
export function turnsOf(messages: BaseMessage[]): ChatTurn[] {
  return messages.map((m) => ({ role: roleOf(m), content: m.text }));
}

/** The user turn a `query` input becomes: none for a blank one. The one place a query becomes a message. */
export function queryTurns(query: string | undefined): BaseMessage[] {
  return query?.trim() ? [new HumanMessage(query)] : [];
}

/**
 * The conversation the response answers: the messages, then the query (when one is given) as a
 * new user turn. Generate folds the query into the messages, so a thread can be asked again with
 * a new `{ query }` after an answer.
 */
export function conversationOf(state: { messages: BaseMessage[]; query: string }): BaseMessage[] {
  const conversation = [...state.messages, ...queryTurns(state.query)];
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
