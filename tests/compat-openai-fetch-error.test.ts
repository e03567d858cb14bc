import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { errorThrownByFetch } from "../src/compat/openai-fetch-error.js";
import { ChatRequestGaveUp } from "../src/models/chat/retrying-fetch.js";
import { ModelRequestError } from "../src/errors.js";

/**
 * What src/compat/openai-fetch-error.ts relies on in the OpenAI SDK and ChatOpenAI: an error that
 * `configuration.fetch` throws reaches the caller of invoke and stream as the cause of the SDK's
 * connection error, for a request and for a stream. TpoChatOpenAI's retries report their
 * ModelRequestError this way. A failure here means that the SDK or LangChain changed it.
 */
class FetchFailure extends Error {}

const isFetchFailure = (e: unknown): e is FetchFailure => e instanceof FetchFailure;

function failingModel(error: Error) {
  const fetch: typeof globalThis.fetch = () => Promise.reject(error);
  return new ChatOpenAI({ model: "m", apiKey: "x", maxRetries: 0, configuration: { fetch } });
}

describe("an error thrown by the SDK's fetch, as errorThrownByFetch finds it", () => {
  it("reaches invoke's caller through the cause chain", async () => {
    const thrown = new FetchFailure("refused by the test");
    const error = await failingModel(thrown)
      .invoke([new HumanMessage("q")])
      .catch((e: unknown) => e);
    expect(error).not.toBe(thrown);
    expect(errorThrownByFetch(error, isFetchFailure)).toBe(thrown);
  });

  it("reaches stream's caller through the cause chain", async () => {
    const thrown = new FetchFailure("refused by the test");
    const error = await (async () => {
      for await (const chunk of await failingModel(thrown).stream([new HumanMessage("q")])) void chunk;
    })().catch((e: unknown) => e);
    expect(errorThrownByFetch(error, isFetchFailure)).toBe(thrown);
  });

  it("carries the retrying fetch's ChatRequestGaveUp, whose text the SDK does not take for a timeout", async () => {
    const gaveUp = new ChatRequestGaveUp(
      new ModelRequestError("Model request to x failed after 2 attempts: no response within 5 ms.", "x"),
    );
    const error = await failingModel(gaveUp)
      .invoke([new HumanMessage("q")])
      .catch((e: unknown) => e);
    expect(errorThrownByFetch(error, (e): e is ChatRequestGaveUp => e instanceof ChatRequestGaveUp)).toBe(
      gaveUp,
    );
  });

  it("finds nothing in an error without it", () => {
    expect(
      errorThrownByFetch(new Error("other", { cause: new Error("deeper") }), isFetchFailure),
    ).toBeUndefined();
  });
});
