import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { RewardRequestError } from "../src/errors.js";
import { createHttpRewardModel } from "../src/models/http-reward.js";
import { startStub, type Stub, type StubHandler } from "./helpers/reward-stub.js";

const stubs: Stub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

async function stub(handler: StubHandler): Promise<Stub> {
  const started = await startStub(handler);
  stubs.push(started);
  return started;
}

const query = [new HumanMessage("What is 2+2?")];

describe("a reward server's non-finite score", () => {
  it.each([
    [
      "vllm-pooling",
      '{"data":[{"index":0,"data":[[0.5],[1e999]]}]}',
      'data[0].data should be a finite number, not Infinity. It sent: {"data":[{"index":0,"data":[[0.5],[Infinity]]}]}',
    ],
    [
      "tei",
      '[[{"score":-1e999,"label":"LABEL_0"}]]',
      "[0][0].score should be a finite number, not -Infinity",
    ],
  ] as const)("from %s is named as it is, not as null", async (kind, raw, expected) => {
    const server = await stub(() => ({ raw }));
    const error = await createHttpRewardModel({ url: server.url, kind })
      .score([{ messages: query, response: "4" }])
      .then(
        () => new Error("no error"),
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(RewardRequestError);
    expect(error.message).toContain(expected);
  });
});
