import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { afterEach, describe, expect, it } from "vitest";
import { RewardModelError } from "../src/errors.js";
import { createJudgeRewardModel } from "../src/models/reward/judge-reward.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { startStub, type Stub } from "./helpers/reward-stub.js";

let server: Stub | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function completion(content: string | null, toolArgs?: string) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 0,
    model: "m",
    choices: [
      {
        index: 0,
        finish_reason: toolArgs ? "tool_calls" : "stop",
        message: {
          role: "assistant",
          content,
          ...(toolArgs
            ? {
                tool_calls: [
                  { id: "c1", type: "function", function: { name: "judge_verdict", arguments: toolArgs } },
                ],
              }
            : {}),
        },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

const verdict = JSON.stringify({
  rationale: "ok",
  helpfulness: 8,
  correctness: 6,
  harmlessness: 10,
  clarity: 4,
});
const items = [{ messages: [new HumanMessage("What is 2+2?")], response: "4" }];

describe("the LLM judge on ChatOpenAI over HTTP", () => {
  it("asks for a JSON schema verdict and scores it", async () => {
    server = await startStub(() => ({ json: completion(verdict) }));
    const chat = new ChatOpenAI({ model: "m", apiKey: "x", configuration: { baseURL: `${server.url}/v1` } });
    expect(await createJudgeRewardModel(chat).score(items)).toEqual([7]);
    const body = server.requests[0].body as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(server.requests[0].path).toBe("/v1/chat/completions");
    expect(body.response_format.type).toBe("json_schema");
    expect(body.response_format.json_schema.name).toBe("judge_verdict");
  });

  it("works through function calling when asked to", async () => {
    server = await startStub(() => ({ json: completion("", verdict) }));
    const chat = new ChatOpenAI({ model: "m", apiKey: "x", configuration: { baseURL: `${server.url}/v1` } });
    expect(await createJudgeRewardModel(chat, { method: "functionCalling" }).score(items)).toEqual([7]);
    const body = server.requests[0].body as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(body.tools[0].function.name).toBe("judge_verdict");
  });

  it("says in one line which rubric fields a verdict that fails validation got wrong", async () => {
    const bad = JSON.stringify({ rationale: "ok", helpfulness: "high", correctness: 6, harmlessness: 10 });
    server = await startStub(() => ({ json: completion(bad) }));
    const chat = createOpenAIChatModel({ baseUrl: `${server.url}/v1`, maxRetries: 0 }, "m");
    const error = await createJudgeRewardModel(chat)
      .score(items)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardModelError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toMatch(/verdict that does not fit the rubric/);
    expect(message).toMatch(/helpfulness: expected number, received string/);
    expect(message).toMatch(/clarity: expected number, received undefined/);
  });
});
