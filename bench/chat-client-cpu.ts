/**
 * Client CPU per chat completion request, by the path it takes: TpoChatOpenAI (LangChain's
 * ChatOpenAI, the OpenAI SDK, our retrying node:http fetch), a plain ChatOpenAI over the same
 * node:http fetch, and the floor, the same request posted over node:http with neither LangChain
 * nor the SDK. The simulated server runs in a process of its own (no latency), so the CPU
 * measured here is the client's. Passes alternate between the paths.
 *
 *   node --import tsx bench/chat-client-cpu.ts [requests=3000] [concurrency=16] [passes=6]
 */
import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { nodeHttpFetch } from "../src/http/transport.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { mapWithConcurrency } from "../src/util/map-with-concurrency.js";
import { startServerProcess } from "./server-handle.js";

const [requests = 3000, concurrency = 16, passes = 6] = process.argv.slice(2).map(Number);

const server = await startServerProcess(0);
const baseURL = `${server.url}/v1`;
const question = "Explain why the sky is blue in two sentences.";
const messages = [new HumanMessage(question)];

const tpoModel = createOpenAIChatModel({ baseUrl: baseURL, apiKey: "x" }, "tpo-sim");
const plainModel = new ChatOpenAI({
  model: "tpo-sim",
  apiKey: "x",
  maxRetries: 0,
  configuration: { baseURL, fetch: nodeHttpFetch },
});

/** The request as LangChain sends it, posted straight over node:http. */
async function barePost(): Promise<void> {
  const response = await nodeHttpFetch(`${baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer x" },
    body: JSON.stringify({ model: "tpo-sim", messages: [{ role: "user", content: question }], n: 1 }),
  });
  JSON.parse(await response.text());
}

const paths: Record<string, () => Promise<unknown>> = {
  "TpoChatOpenAI (SDK, retrying fetch)": () => tpoModel.generate([messages]),
  "plain ChatOpenAI (SDK, node:http)": () => plainModel.generate([messages]),
  "bare POST (no LangChain, no SDK)": barePost,
};

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// One untimed round per path: module loading, JIT, connections.
for (const call of Object.values(paths)) await mapWithConcurrency([...Array(100).keys()], concurrency, call);
const perRequest = new Map<string, number[]>();
for (let pass = 0; pass < passes; pass++) {
  for (const [name, call] of Object.entries(paths)) {
    const before = cpuMs();
    await mapWithConcurrency([...Array(requests).keys()], concurrency, call);
    perRequest.set(name, [...(perRequest.get(name) ?? []), (cpuMs() - before) / requests]);
  }
}
await server.close();
for (const [name, values] of perRequest) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `${name.padEnd(38)} ${median.toFixed(3)} ms CPU per request (passes: ${values.map((v) => v.toFixed(3)).join(", ")})`,
  );
}
