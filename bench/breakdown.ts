import http from "node:http";
import { HumanMessage } from "@langchain/core/messages";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import OpenAI from "openai";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { nodeHttpFetch } from "../src/http/transport.js";
import { cpuMs } from "./stats.js";

/** Client CPU ms per call of `fn`, after a warm-up, with calls one at a time. */
async function cpuPerCall(calls: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(10, calls); i++) await fn(i);
  const start = cpuMs();
  for (let i = 0; i < calls; i++) await fn(i);
  return (cpuMs() - start) / calls;
}

const agent = new http.Agent({ keepAlive: true });

/** The cheapest client there is: one node:http request, body read whole, nothing parsed. */
export function bareRequest(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve(text));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Where a TPO query's client CPU goes, layer by layer, against the sim server at zero latency:
 * each figure is the CPU of one call of that layer alone.
 */
export async function measureBreakdown(url: string, query: string, width: number, calls: number) {
  const chatBody = JSON.stringify({
    model: "tpo-sim",
    messages: [{ role: "user", content: query }],
    n: width,
    seed: 0,
  });
  const chatUrl = `${url}/v1/chat/completions`;
  const sdk = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
  const sdkOwnFetch = new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: "unused",
    maxRetries: 0,
    fetch: nodeHttpFetch,
  });
  const policy = createOpenAIChatModel({ baseUrl: `${url}/v1` }, "tpo-sim");
  const reward = createHttpRewardModel({ url, kind: "tei", batchSize: 64 });
  const messages = [new HumanMessage(query)];
  const items = Array.from({ length: width }, (_, i) => ({ messages, response: `A response, number ${i}.` }));
  const State = Annotation.Root({ x: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }) });
  const oneStep = new StateGraph(State)
    .addNode("a", (s) => ({ x: s.x + 1 }))
    .addEdge(START, "a")
    .addEdge("a", END)
    .compile();
  let chain = new StateGraph(State) as unknown as StateGraph<
    typeof State.spec,
    typeof State.State,
    typeof State.Update,
    string
  >;
  let previous: string = START;
  for (let i = 0; i < 11; i++) {
    chain = chain
      .addNode(`n${i}`, (s: typeof State.State) => ({ x: s.x + 1 }))
      .addEdge(previous as typeof START, `n${i}`);
    previous = `n${i}`;
  }
  const elevenSteps = chain.addEdge(previous as typeof START, END).compile();
  const chat = { model: "tpo-sim", messages: [{ role: "user" as const, content: query }], n: width, seed: 0 };
  const oneStepMs = await cpuPerCall(calls, (i) => oneStep.invoke({ x: i }));
  const elevenStepsMs = await cpuPerCall(calls, (i) => elevenSteps.invoke({ x: i }));
  return {
    bareNodeHttpRequestMs: await cpuPerCall(calls, () => bareRequest(chatUrl, chatBody)),
    bareFetchRequestMs: await cpuPerCall(calls, async () =>
      (
        await fetch(chatUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: chatBody,
        })
      ).text(),
    ),
    openaiSdkWithFetchMs: await cpuPerCall(calls, () => sdk.chat.completions.create(chat)),
    openaiSdkWithNodeHttpFetchMs: await cpuPerCall(calls, () => sdkOwnFetch.chat.completions.create(chat)),
    langchainPolicyCallMs: await cpuPerCall(calls, (i) =>
      policy.generate([messages], { n: width, seed: i } as never),
    ),
    teiRewardCallMs: await cpuPerCall(calls, () => reward.score(items)),
    langgraphInvokeOneStepMs: oneStepMs,
    langgraphPerExtraStepMs: (elevenStepsMs - oneStepMs) / 10,
  };
}
