import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";

/** A conversation turn as files give it: OpenAI's { role, content }. */
export interface TurnJson {
  role: string;
  content: string;
}

/** Turns { role, content } objects into messages; throws with the turn's index when one is malformed. */
export function messagesFromJson(value: unknown): BaseMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error('"messages" must be a non-empty array of { "role", "content" } objects');
  }
  return value.map((turn: unknown, index) => {
    const { role, content } = (turn ?? {}) as Partial<TurnJson>;
    if (typeof content !== "string") throw new Error(`messages[${index}] has no string "content"`);
    if (role === "user" || role === "human") return new HumanMessage(content);
    if (role === "assistant" || role === "ai") return new AIMessage(content);
    if (role === "system") return new SystemMessage(content);
    throw new Error(
      `messages[${index}] has role ${JSON.stringify(role)}; use "system", "user" or "assistant"`,
    );
  });
}

export function messagesToJson(messages: BaseMessage[]): TurnJson[] {
  return messages.map((m) => ({
    role: HumanMessage.isInstance(m) ? "user" : AIMessage.isInstance(m) ? "assistant" : "system",
    content: typeof m.content === "string" ? m.content : m.text,
  }));
}
