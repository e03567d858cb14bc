import {
  AIMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  type BaseMessage,
  type ToolCall,
} from "@langchain/core/messages";

/** What a user turn is given as context when the agent used tools to answer it. */
export const TOOL_WORK_HEADING = "Before answering, the assistant called tools. What they returned:";

function toolResultLine(result: ToolMessage, calls: Map<string, ToolCall>): string {
  const call = calls.get(result.tool_call_id);
  const name = call?.name ?? result.name ?? "a tool";
  const args = call ? `(${JSON.stringify(call.args)})` : "";
  return `${name}${args} returned: ${result.text}`;
}

/**
 * An agent's conversation as TPO answers it: the system prompt, then user and assistant turns of
 * text. Tool calls and their results fold into the user turn they served, as context after its
 * text, so that the policy, the critic and the reward model (whose chat templates know only
 * system, user and assistant turns) all see what the tools returned. The last turn is the user's
 * request being answered; an empty list when there is none.
 */
export function tpoConversationOf(system: SystemMessage | undefined, messages: BaseMessage[]): BaseMessage[] {
  const turns: BaseMessage[] = system?.text ? [new SystemMessage(system.text)] : [];
  let request: { text: string; work: string[] } | null = null;
  const calls = new Map<string, ToolCall>();
  const closeRequest = () => {
    if (!request) return;
    const { text, work } = request;
    turns.push(
      new HumanMessage(work.length ? `${text}\n\n${TOOL_WORK_HEADING}\n\n${work.join("\n\n")}` : text),
    );
    request = null;
  };
  for (const message of messages) {
    if (HumanMessage.isInstance(message)) {
      closeRequest();
      request = { text: message.text, work: [] };
    } else if (ToolMessage.isInstance(message)) {
      request?.work.push(toolResultLine(message, calls));
    } else if (AIMessage.isInstance(message) && message.tool_calls?.length) {
      for (const call of message.tool_calls) if (call.id) calls.set(call.id, call);
      if (message.text) request?.work.push(`The assistant said: ${message.text}`);
    } else if (AIMessage.isInstance(message)) {
      closeRequest();
      turns.push(new AIMessage(message.text));
    } else if (SystemMessage.isInstance(message) && turns.length === 0) {
      turns.push(new SystemMessage(message.text));
    }
  }
  closeRequest();
  return HumanMessage.isInstance(turns.at(-1)) ? turns : [];
}
