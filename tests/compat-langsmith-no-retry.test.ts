import { Client } from "langsmith";
import { describe, expect, it } from "vitest";
import { notRetriedResponse } from "../src/compat/langsmith-no-retry.js";

/** A client whose requests all get `answer`, counting them: no network. */
function clientAnswering(answer: () => Response) {
  let calls = 0;
  const client = new Client({
    apiUrl: "http://127.0.0.1:9",
    apiKey: "test",
    autoBatchTracing: false,
    fetchImplementation: (async () => {
      calls++;
      return answer();
    }) as typeof fetch,
  });
  return { client, calls: () => calls };
}

describe("LangSmith's client and the answer it does not retry (src/compat/langsmith-no-retry.ts)", () => {
  it("gives up after one attempt on the stand-in answer", async () => {
    const { client, calls } = clientAnswering(() => notRetriedResponse("stopped"));
    await expect(client.createProject({ projectName: "p" })).rejects.toThrow();
    expect(calls()).toBe(1);
  });

  it("retries a 500, which is why the stand-in is not one", async () => {
    let first = true;
    const { client, calls } = clientAnswering(() => {
      if (!first) return notRetriedResponse("stopped");
      first = false;
      return new Response("{}", { status: 500 });
    });
    await expect(client.createProject({ projectName: "p" })).rejects.toThrow();
    expect(calls()).toBe(2);
  }, 30_000);
});
