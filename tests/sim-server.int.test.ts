import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { SimChatModel } from "../src/sim/chat-model.js";
import {
  applyChatTemplate,
  CHATML_CHAT_TEMPLATE,
  TULU_CHAT_TEMPLATE,
} from "../src/models/reward/chat-template.js";
import { llama3Template, parseLlama3, parseTemplated } from "../src/sim/chat-template-parser.js";
import { startSimServer, type SimServer, type SimServerOptions } from "../src/sim/server.js";
import { simReward } from "../src/sim/world.js";

const QUERY = "How do I take care of a wooden table?";
const RESPONSE =
  "Oil it twice a year. Here is a concrete example: wipe spills at once. A practical tip: use coasters.";
const CONVERSATION = [
  { role: "user", content: QUERY },
  { role: "assistant", content: RESPONSE },
];

let server: SimServer | undefined;

async function start(options: SimServerOptions = {}): Promise<SimServer> {
  server = await startSimServer(options);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function call(path: string, body?: unknown, init: RequestInit = {}) {
  const response = await fetch(`${server!.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...init,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function chat(extra: Record<string, unknown> = {}) {
  return call("/v1/chat/completions", {
    model: "tpo-sim",
    messages: [{ role: "user", content: QUERY }],
    ...extra,
  });
}

describe("sim server endpoints", () => {
  it("lists its models", async () => {
    await start({ models: ["a", "b"] });
    const { status, json } = await call("/v1/models");
    expect(status).toBe(200);
    expect(json.data.map((m: { id: string }) => m.id)).toEqual(["a", "b"]);
  });

  it("answers chat completions with n choices, usage, and the texts of the in-process model", async () => {
    await start();
    const { status, json } = await chat({ n: 3, seed: 5, temperature: 0.7, top_p: 0.95, max_tokens: 12 });
    expect(status).toBe(200);
    expect(json.choices).toHaveLength(3);
    const expected = [0, 1, 2].map((i) => SimChatModel.respond(QUERY, 5, i, 12));
    expect(json.choices.map((c: { message: { content: string } }) => c.message.content)).toEqual(expected);
    expect(json.choices[0].finish_reason).toBe("length");
    const inProcess = await new SimChatModel().generate([[new HumanMessage(QUERY)]], {
      seed: 5,
      n: 3,
      maxTokens: 12,
    } as never);
    expect(inProcess.generations[0].map((g) => g.text)).toEqual(expected);
    const usages = inProcess.generations[0].map(
      (g) =>
        (
          g as unknown as {
            message: {
              usage_metadata: {
                input_tokens: number;
                output_tokens: number;
                input_token_details: { cache_read: number };
              };
            };
          }
        ).message.usage_metadata,
    );
    const completion = usages.reduce((sum, u) => sum + u.output_tokens, 0);
    expect(json.usage).toEqual({
      prompt_tokens: usages[0].input_tokens,
      completion_tokens: completion,
      total_tokens: usages[0].input_tokens + completion,
      prompt_tokens_details: { cached_tokens: usages[0].input_token_details.cache_read },
    });
  });

  it("models a prefix cache: cached tokens are the longest prompt prefix an earlier request shared, as in process", async () => {
    await start();
    const system = { role: "system", content: "You critique responses with care." };
    const context = { role: "user", content: `<query>\n${QUERY}\n</query>` };
    const ask = async (messages: { role: string; content: string }[]) => {
      const response = await fetch(`${server!.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "tpo-sim", messages, seed: 1 }),
      });
      return (
        (await response.json()) as {
          usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } };
        }
      ).usage;
    };
    const first = await ask([system, context]);
    expect(first.prompt_tokens_details.cached_tokens).toBe(0);
    const again = await ask([system, context]);
    expect(again.prompt_tokens_details.cached_tokens).toBe(again.prompt_tokens);
    const turn = { role: "user", content: "Now write suggestions." };
    const longer = await ask([system, context, { role: "assistant", content: "It lacks a summary." }, turn]);
    expect(longer.prompt_tokens_details.cached_tokens).toBe(first.prompt_tokens);
    const other = await ask([{ role: "system", content: "You critique other things." }, context]);
    expect(other.prompt_tokens_details.cached_tokens).toBe(2);

    const model = new SimChatModel();
    const cachedOf = async (messages: BaseMessage[]) => {
      const result = await model.generate([messages]);
      const message = result.generations[0][0] as unknown as {
        message: { usage_metadata: { input_token_details: { cache_read: number } } };
      };
      return message.message.usage_metadata.input_token_details.cache_read;
    };
    const lc = [new SystemMessage(system.content), new HumanMessage(context.content)];
    expect(await cachedOf(lc)).toBe(0);
    expect(await cachedOf(lc)).toBe(first.prompt_tokens);
    expect(
      await cachedOf([...lc, new AIMessage("It lacks a summary."), new HumanMessage(turn.content)]),
    ).toBe(first.prompt_tokens);
  });

  it("reads TPO prompts (system and user turns) as the in-process model does", async () => {
    await start();
    const messages = [
      { role: "system", content: "You critique." },
      { role: "user", content: `<query>\n${QUERY}\n</query>\n\n<response>\n${RESPONSE}\n</response>` },
    ];
    const { json } = await call("/v1/chat/completions", { model: "tpo-sim", messages, seed: 1 });
    const prompt = SimChatModel.promptOf([
      new SystemMessage(messages[0].content),
      new HumanMessage(messages[1].content),
    ]);
    expect(json.choices[0].message.content).toBe(SimChatModel.respond(prompt, 1, 0));
  });

  it("varies unseeded requests and repeats seeded ones", async () => {
    await start();
    const a = await chat();
    const b = await chat();
    expect(a.json.choices[0].message.content).not.toBe(b.json.choices[0].message.content);
    const c = await chat({ seed: 9 });
    const d = await chat({ seed: 9 });
    expect(c.json.choices[0].message.content).toBe(d.json.choices[0].message.content);
  });

  it("rejects out-of-range sampling settings with an OpenAI-style 400", async () => {
    await start();
    for (const [field, value] of [
      ["temperature", 3],
      ["top_p", 0],
      ["n", 0],
      ["max_tokens", 1.5],
    ] as const) {
      const { status, json } = await chat({ [field]: value });
      expect(status).toBe(400);
      expect(json.error.param).toBe(field);
    }
    expect((await call("/v1/chat/completions", { model: "tpo-sim", messages: [] })).status).toBe(400);
    expect((await call("/nowhere", {})).status).toBe(404);
  });

  it("streams a completion as server-sent events when asked", async () => {
    await start();
    const { text, headers } = await chat({ stream: true, seed: 2, stream_options: { include_usage: true } });
    expect(headers.get("content-type")).toContain("text/event-stream");
    const events = text
      .split("\n\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks[0].choices[0].delta.content).toBe(SimChatModel.respond(QUERY, 2, 0));
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
  });

  it("scores /pooling in vLLM's chat form, as a number or per-token rows of one label", async () => {
    await start({ seed: 3 });
    const body = {
      model: "rm",
      messages: CONVERSATION,
      add_generation_prompt: false,
      add_special_tokens: false,
      use_activation: false,
    };
    const { status, json } = await call("/pooling", body);
    expect(status).toBe(200);
    expect(json.data).toHaveLength(1);
    expect(json.data[0].index).toBe(0);
    expect(json.data[0].data).toBe(simReward(QUERY, RESPONSE, 3));
    expect(json.usage.prompt_tokens).toBeGreaterThan(0);
    await server!.close();
    await start({ seed: 3, poolingPerToken: true });
    const perToken = await call("/pooling", body);
    const rows = perToken.json.data[0].data as number[][];
    expect(rows.length).toBeGreaterThan(1);
    // vLLM's shape for a token-level reward model: (tokens, labels), here one label.
    for (const row of rows) expect(row).toHaveLength(1);
    expect(rows.at(-1)).toEqual([simReward(QUERY, RESPONSE, 3)]);
  });

  it("answers /pooling and vLLM's /classify with several labels, the reward at label 0", async () => {
    await start({ seed: 3, labels: 3 });
    const score = simReward(QUERY, RESPONSE, 3);
    const pooled = await call("/pooling", { model: "rm", messages: CONVERSATION });
    expect(pooled.json.data[0].data).toEqual([score, -score, -2 * score]);
    const classified = await call("/classify", { model: "rm", messages: CONVERSATION });
    expect(classified.json.data[0]).toMatchObject({ probs: [score, -score, -2 * score], num_classes: 3 });
    await server!.close();
    await start({ seed: 3, labels: 2, poolingPerToken: true });
    const rows = (await call("/pooling", { model: "rm", messages: CONVERSATION })).json.data[0].data;
    expect(rows.at(-1)).toEqual([score, -score]);
    await expect(startSimServer({ labels: 0 })).rejects.toThrow("labels must be a positive integer");
  });

  it("scores /classify in vLLM's chat form and SGLang's text form", async () => {
    await start();
    const score = simReward(QUERY, RESPONSE, 0);
    const vllm = await call("/classify", { model: "rm", messages: CONVERSATION, use_activation: false });
    expect(vllm.json.data).toEqual([{ index: 0, label: "LABEL_0", probs: [score], num_classes: 1 }]);
    const other = "A short answer.";
    const sglang = await call("/classify", {
      model: "rm",
      text: [
        llama3Template(CONVERSATION),
        llama3Template([CONVERSATION[0], { role: "assistant", content: other }]),
      ],
    });
    expect(sglang.status).toBe(200);
    expect(
      sglang.json.map((item: { embedding: number[]; index: number }) => [item.index, item.embedding[0]]),
    ).toEqual([
      [0, score],
      [1, simReward(QUERY, other, 0)],
    ]);
    const bad = await call("/classify", { model: "rm", text: ["not templated"] });
    expect(bad.status).toBe(400);
  });

  it("scores TEI /predict batches, and treats a two-string list as ONE text pair", async () => {
    await start();
    const texts = [RESPONSE, "Just buy a new table."].map((r) =>
      llama3Template([
        { role: "system", content: "Be helpful." },
        CONVERSATION[0],
        { role: "assistant", content: r },
      ]),
    );
    const batch = await call("/predict", { inputs: texts.map((t) => [t]), raw_scores: true, truncate: true });
    expect(batch.status).toBe(200);
    expect(batch.json).toEqual([
      [{ score: simReward(QUERY, RESPONSE, 0), label: "LABEL_0" }],
      [{ score: simReward(QUERY, "Just buy a new table.", 0), label: "LABEL_0" }],
    ]);
    const pair = await call("/predict", { inputs: texts, raw_scores: true });
    expect(pair.status).toBe(200);
    expect(pair.json).toHaveLength(1);
    expect(pair.json[0]).toHaveProperty("score");
    const bad = await call("/predict", { inputs: [["no template"]] });
    expect(bad.status).toBe(422);
  });

  it("refuses a text that starts with <|begin_of_text|>, which TEI and SGLang add themselves", async () => {
    await start();
    const doubled = "<|begin_of_text|>" + llama3Template(CONVERSATION);
    const tei = await call("/predict", { inputs: [[doubled]], raw_scores: true });
    expect(tei.status).toBe(422);
    expect(tei.json.error).toContain("batch item 0: input starts with <|begin_of_text|>");
    expect(tei.json.error).toContain("double BOS");
    const sglang = await call("/classify", { model: "rm", text: [llama3Template(CONVERSATION), doubled] });
    expect(sglang.status).toBe(400);
    expect(sglang.json.error).toContain("text 1 starts with <|begin_of_text|>");
    const single = await call("/predict", { inputs: [[llama3Template(CONVERSATION)]] });
    expect(single.status).toBe(200);
  });

  it("scores TEI and SGLang texts in the Tulu and ChatML templates", async () => {
    await start();
    const turns = [{ role: "system", content: "Be helpful." }, ...CONVERSATION];
    const texts = [TULU_CHAT_TEMPLATE, CHATML_CHAT_TEMPLATE].map((t) => applyChatTemplate(t, turns));
    const expected = [{ score: simReward(QUERY, RESPONSE, 0), label: "LABEL_0" }];
    const tei = await call("/predict", { inputs: texts.map((t) => [t]) });
    expect(tei.json).toEqual([expected, expected]);
    const sglang = await call("/classify", { model: "rm", text: texts });
    expect(sglang.json.map((item: { embedding: number[] }) => item.embedding[0])).toEqual([
      expected[0].score,
      expected[0].score,
    ]);
  });

  it("parses the Llama-3, Tulu and ChatML templates back into messages", () => {
    const messages = [{ role: "system", content: "S" }, ...CONVERSATION, { role: "user", content: "More?" }];
    const withResponse = [...messages, { role: "assistant", content: "Yes.\nTwo lines." }];
    expect(parseLlama3(llama3Template(messages))).toEqual(messages);
    expect(llama3Template(messages).startsWith("<|begin_of_text|>")).toBe(false);
    expect(parseTemplated(llama3Template(withResponse))).toEqual(withResponse);
    for (const template of [TULU_CHAT_TEMPLATE, CHATML_CHAT_TEMPLATE]) {
      expect(parseTemplated(applyChatTemplate(template, withResponse))).toEqual(withResponse);
    }
  });

  it("answers NIM reward chats with name:value pairs, helpfulness being the score", async () => {
    await start();
    const { json } = await call("/v1/chat/completions", {
      model: "nvidia/nemotron-4-340b-reward",
      messages: CONVERSATION,
    });
    const pairs = Object.fromEntries(
      (json.choices[0].message.content as string).split(",").map((p) => {
        const [name, value] = p.split(":");
        return [name, Number(value)];
      }),
    );
    expect(Object.keys(pairs)).toEqual([
      "helpfulness",
      "correctness",
      "coherence",
      "complexity",
      "verbosity",
    ]);
    expect(pairs.helpfulness).toBe(simReward(QUERY, RESPONSE, 0));
  });

  it("records requests per path and their bodies", async () => {
    await start();
    await chat({ n: 2, seed: 1 });
    await call("/pooling", { model: "rm", messages: CONVERSATION });
    await call("/pooling", { model: "rm", messages: CONVERSATION });
    expect(server!.stats.requests).toEqual({ "/v1/chat/completions": 1, "/pooling": 2 });
    expect(server!.stats.count("/pooling")).toBe(2);
    expect(server!.stats.bodies["/v1/chat/completions"][0]).toMatchObject({ n: 2, seed: 1 });
    server!.stats.reset();
    expect(server!.stats.log).toHaveLength(0);
  });
});

describe("sim server latency and faults", () => {
  it("computes latency from a fixed part and the output tokens", async () => {
    await start({ latency: { fixedMs: 3, perTokenMs: 0.5 } });
    const { json } = await chat({ n: 2, seed: 4 });
    expect(server!.stats.log[0].delayMs).toBe(3 + 0.5 * json.usage.completion_tokens);
    server!.setLatency({ fixedMs: 1 });
    await call("/pooling", { model: "rm", messages: CONVERSATION });
    expect(server!.stats.log[1].delayMs).toBe(1);
  });

  it("returns a status for the next K requests of a path, with or without Retry-After", async () => {
    await start({ faults: [{ kind: "status", status: 429, retryAfter: 2, times: 2 }] });
    const first = await chat();
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2");
    expect((await call("/pooling", { model: "rm", messages: CONVERSATION })).status).toBe(200);
    expect((await chat()).status).toBe(429);
    expect((await chat()).status).toBe(200);
    server!.setFaults([{ kind: "status", status: 503, path: "/pooling", times: 1 }]);
    const failed = await call("/pooling", { model: "rm", messages: CONVERSATION });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBeNull();
    expect((await chat()).status).toBe(200);
    expect(server!.stats.count("/v1/chat/completions")).toBe(4);
  });

  it("applies a fault only to requests that match its predicate, on any path with '*'", async () => {
    await start({
      faults: [
        { kind: "status", status: 500, path: "*", when: (r) => (r.body as { seed?: number })?.seed === 7 },
      ],
    });
    expect((await chat({ seed: 7 })).status).toBe(500);
    expect((await chat({ seed: 8 })).status).toBe(200);
  });

  it("delays past a client's timeout", async () => {
    await start({ faults: [{ kind: "delay", ms: 600_000, times: 1 }] });
    const late = call(
      "/v1/chat/completions",
      { model: "tpo-sim", messages: CONVERSATION.slice(0, 1) },
      {
        signal: AbortSignal.timeout(200),
      },
    );
    await expect(late).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await chat()).status).toBe(200);
  });

  it("sends a malformed body, empty choices, or one choice whatever n asks", async () => {
    await start({ faults: [{ kind: "malformed", times: 1 }] });
    const malformed = await chat();
    expect(malformed.status).toBe(200);
    expect(malformed.json).toBeUndefined();
    server!.setFaults([{ kind: "empty-choices", times: 1 }]);
    expect((await chat({ n: 3 })).json.choices).toEqual([]);
    server!.setFaults([{ kind: "ignore-n" }]);
    expect((await chat({ n: 3 })).json.choices).toHaveLength(1);
    server!.setFaults([]);
    expect((await chat({ n: 3 })).json.choices).toHaveLength(3);
  });

  it("ignores n for every request with the ignoreN option", async () => {
    await start({ ignoreN: true });
    expect((await chat({ n: 4 })).json.choices).toHaveLength(1);
  });

  it("close() ends requests that are still waiting, so nothing hangs", async () => {
    await start({ faults: [{ kind: "delay", ms: 600_000 }] });
    const pending = chat().then(
      () => "answered",
      () => "connection closed",
    );
    while (server!.stats.count("/v1/chat/completions") === 0) await new Promise((r) => setTimeout(r, 5));
    await server!.close();
    await expect(pending).resolves.toBe("connection closed");
  });
});

describe("tpo sim-server", () => {
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    child = undefined;
  });

  it("prints its URL, serves, and stops on SIGTERM", async () => {
    child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "sim-server", "--port", "0", "--ignore-n"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child!.once("exit", (code) => reject(new Error(`sim-server exited with ${code}: ${output}`)));
    });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "tpo-sim", messages: [{ role: "user", content: QUERY }], n: 3 }),
    });
    expect(((await response.json()) as { choices: unknown[] }).choices).toHaveLength(1);
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(output).toContain("stopped");
  });
});

describe("sim server capacity", () => {
  it("serves at most maxInFlight model requests at once, queueing the others, and answers GETs at once", async () => {
    const s = await start({ maxInFlight: 2, latency: { fixedMs: 40 } });
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => chat({ seed: 1 })),
      call("/health"),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(s.stats.peakInFlight).toBe(2);
    const posts = s.stats.log.filter((r) => r.method === "POST");
    // First come, first served.
    const order = [...posts].sort((a, b) => a.startedAt! - b.startedAt!);
    expect(order.map((r) => r.arrivedAt)).toEqual([...posts].map((r) => r.arrivedAt).sort((a, b) => a! - b!));
    // Not queued: answered before the last wave of model requests began.
    const health = s.stats.log.find((r) => r.path === "/health")!;
    expect(health.finishedAt!).toBeLessThan(order[4].startedAt!);
  });

  it("without a capacity serves every request at once, and records each request's headers", async () => {
    const s = await start({ latency: { fixedMs: 300 } });
    await Promise.all(Array.from({ length: 6 }, () => chat({ seed: 1 })));
    expect(s.stats.peakInFlight).toBe(6);
    expect(s.stats.log[0].headers!["content-type"]).toBe("application/json");
  });
});
