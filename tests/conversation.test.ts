import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { TpoInputError } from "../src/errors.js";
import { contentText, messagesFromTurns, turnsOf } from "../src/messages/conversation.js";

describe("{ role, content } turns and messages", () => {
  it("turns OpenAI's roles into messages, developer as system, text parts as one text", () => {
    const messages = messagesFromTurns([
      { role: "developer", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "Hi, " },
          { type: "text", text: "there" },
        ],
      },
      { role: "assistant", content: "Hello." },
      { role: "human", content: "And you?" },
    ]);
    expect(messages.map((m) => m.constructor)).toEqual([
      SystemMessage,
      HumanMessage,
      AIMessage,
      HumanMessage,
    ]);
    expect(messages.map((m) => m.content)).toEqual(["Be brief.", "Hi, there", "Hello.", "And you?"]);
    expect(turnsOf(messages)).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi, there" },
      { role: "assistant", content: "Hello." },
      { role: "user", content: "And you?" },
    ]);
  });

  it("names the turn that is wrong", () => {
    expect(() => messagesFromTurns([])).toThrow(TpoInputError);
    expect(() =>
      messagesFromTurns([
        { role: "user", content: "a" },
        { role: "tool", content: "b" },
      ]),
    ).toThrow('messages[1] has role "tool"; use "system", "user" or "assistant"');
    expect(() => messagesFromTurns([{ role: "user" }])).toThrow('messages[0] has no "content"');
  });

  it("reads a content's text as a message's .text does", () => {
    const parts = [
      { type: "text", text: "a" },
      { type: "image_url", image_url: { url: "x" } },
      { type: "text", text: "b" },
    ];
    expect(contentText(parts)).toBe(new HumanMessage({ content: parts }).text);
    expect(contentText("plain")).toBe("plain");
    expect(contentText(null)).toBe("");
  });
});
