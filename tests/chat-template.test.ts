import { HumanMessage, SystemMessage, AIMessage } from "@langchain/core/messages";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TpoConfigError } from "../src/errors.js";
import {
  applyChatTemplate,
  CHAT_TEMPLATES,
  CHATML_CHAT_TEMPLATE,
  chatTurns,
  LLAMA3_CHAT_TEMPLATE,
  TULU_CHAT_TEMPLATE,
} from "../src/models/reward/chat-template.js";
import { parseChatTemplateJson, resolveChatTemplate } from "../src/models/reward/reward-template.js";

const TEMPLATES = fileURLToPath(new URL("./fixtures/reward-templates/", import.meta.url));
const fixture = (name: string) => resolve(TEMPLATES, name);

const oneTurn = chatTurns([new HumanMessage("What is 2+2?")], "4");
const multiTurn = chatTurns(
  [new SystemMessage("Be brief."), new HumanMessage("Hi"), new AIMessage("Hello!"), new HumanMessage("2+2?")],
  "4",
);

describe("named chat templates", () => {
  it("llama3 renders its BOS, then a header block per turn; without the BOS when asked", () => {
    const turns =
      "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>" +
      "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>";
    expect(applyChatTemplate(LLAMA3_CHAT_TEMPLATE, oneTurn)).toBe(`<|begin_of_text|>${turns}`);
    expect(applyChatTemplate(LLAMA3_CHAT_TEMPLATE, oneTurn, { bos: false })).toBe(turns);
  });

  it("tulu renders <|role|> blocks, eos after assistant turns and a newline only after earlier ones", () => {
    expect(applyChatTemplate(TULU_CHAT_TEMPLATE, oneTurn)).toBe(
      "<|user|>\nWhat is 2+2?\n<|assistant|>\n4<|end_of_text|>",
    );
    expect(applyChatTemplate(TULU_CHAT_TEMPLATE, multiTurn)).toBe(
      "<|system|>\nBe brief.\n" +
        "<|user|>\nHi\n" +
        "<|assistant|>\nHello!<|end_of_text|>\n" +
        "<|user|>\n2+2?\n" +
        "<|assistant|>\n4<|end_of_text|>",
    );
  });

  it("chatml renders <|im_start|> blocks and no BOS", () => {
    expect(applyChatTemplate(CHATML_CHAT_TEMPLATE, multiTurn)).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n" +
        "<|im_start|>user\nHi<|im_end|>\n" +
        "<|im_start|>assistant\nHello!<|im_end|>\n" +
        "<|im_start|>user\n2+2?<|im_end|>\n" +
        "<|im_start|>assistant\n4<|im_end|>\n",
    );
  });

  it("keeps braces in the texts literal", () => {
    const turns = chatTurns([new HumanMessage("say {content}")], "{role} and {last}");
    expect(applyChatTemplate(TULU_CHAT_TEMPLATE, turns)).toBe(
      "<|user|>\nsay {content}\n<|assistant|>\n{role} and {last}<|end_of_text|>",
    );
  });

  it("renames roles for {role} but picks per-role formats by the original role", () => {
    const template = {
      turn: "[{role}] {content}\n",
      turns: { assistant: "<{role}> {content}\n" },
      roles: { assistant: "model" },
    };
    expect(applyChatTemplate(template, oneTurn)).toBe("[user] What is 2+2?\n<model> 4\n");
  });

  it("are the ones that names resolve to", () => {
    expect(Object.keys(CHAT_TEMPLATES)).toEqual(["llama3", "tulu", "chatml"]);
    expect(resolveChatTemplate("llama3")).toBe(LLAMA3_CHAT_TEMPLATE);
    expect(resolveChatTemplate("tulu")).toBe(TULU_CHAT_TEMPLATE);
    expect(resolveChatTemplate("chatml")).toBe(CHATML_CHAT_TEMPLATE);
  });
});

describe("template files", () => {
  it("read a JSON template with bos, turn and last", () => {
    const template = resolveChatTemplate(fixture("chatml-bos.json"));
    expect(template).toEqual({
      bos: "<s>",
      turn: "<|im_start|>{role}\n{content}<|im_end|>\n",
      last: "<|im_start|>{role}\n{content}<|im_end|>",
    });
    expect(applyChatTemplate(template, oneTurn)).toBe(
      "<s><|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>",
    );
  });

  it.each([
    ["misspelt.json", "has unknown field turn_format; use bos, begin, turn, last, end, turns, roles"],
    ["no-turn.json", 'needs "turn", a string with {role} and {content}'],
    ["bad-roles.json", 'has a "roles" that is not an object of strings by role'],
  ])("refuse %s, naming the file, the setting and the field", (name, why) => {
    const call = () => resolveChatTemplate(fixture(name));
    expect(call).toThrow(TpoConfigError);
    expect(call).toThrow(
      `The reward template file ${fixture(name)} (--reward-template / TPO_REWARD_TEMPLATE) ${why}.`,
    );
  });

  it("refuse text that is not a JSON object", () => {
    expect(() => parseChatTemplateJson("{ turn: oops", "t.json")).toThrow(/t\.json .* is not JSON/);
    expect(() => parseChatTemplateJson('["{content}"]', "t.json")).toThrow("must hold a JSON object");
    expect(() => parseChatTemplateJson('{"turn": "x", "last": 3}', "t.json")).toThrow(
      'has a "last" that is not a string',
    );
  });

  it("name the setting when a value is neither a template name nor a file", () => {
    const call = () => resolveChatTemplate(fixture("llama-3.json"));
    expect(call).toThrow(TpoConfigError);
    expect(call).toThrow(
      `--reward-template / TPO_REWARD_TEMPLATE is "${fixture("llama-3.json")}", which is neither a template name (llama3, tulu, chatml) nor a readable template file (ENOENT).`,
    );
  });
});
