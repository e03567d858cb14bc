import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { withBoundOptions } from "../src/compat/chat-openai-default-options.js";

/**
 * What src/compat/chat-openai-default-options.ts relies on in ChatOpenAI: `withConfig` keeps the
 * bound call options in `defaultOptions`, and `invoke` sends them. A failure here means that
 * LangChain changed how ChatOpenAI binds options, and TpoChatOpenAI.withConfig would lose them.
 */
const COMPLETION = {
  id: "c1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }],
};

function recordingChatOpenAI(bodies: Record<string, unknown>[]) {
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    return new Response(JSON.stringify(COMPLETION), { headers: { "content-type": "application/json" } });
  };
  return new ChatOpenAI({ model: "m", apiKey: "x", maxRetries: 0, configuration: { fetch } });
}

describe("ChatOpenAI's defaultOptions, as withBoundOptions sets them", () => {
  it("is where ChatOpenAI's own withConfig keeps the bound options", () => {
    const bound = recordingChatOpenAI([]).withConfig({ seed: 5 });
    expect((bound as unknown as { defaultOptions?: unknown }).defaultOptions).toEqual({ seed: 5 });
  });

  it("sends the options bound on a fresh copy, over those of the model it came from", async () => {
    const bodies: Record<string, unknown>[] = [];
    const from = withBoundOptions(recordingChatOpenAI([]), recordingChatOpenAI([]), {
      seed: 1,
      stop: ["END"],
    });
    const copy = withBoundOptions(recordingChatOpenAI(bodies), from, { seed: 7 });
    await copy.invoke([new HumanMessage("q")]);
    expect(bodies[0]).toMatchObject({ seed: 7, stop: ["END"] });
  });
});
