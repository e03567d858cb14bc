import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { RewardLabelError, RewardRequestError, TpoConfigError } from "../src/errors.js";
import { LLAMA3_CHAT_TEMPLATE, TULU_CHAT_TEMPLATE } from "../src/models/reward/chat-template.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import type { RewardItem } from "../src/models/reward/reward-model.js";
import { barrier, closedPort, startStub, type Stub, type StubHandler } from "./helpers/reward-stub.js";

const stubs: Stub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

async function stub(handler: StubHandler): Promise<Stub> {
  const started = await startStub(handler);
  stubs.push(started);
  return started;
}

const fast = { baseDelayMs: 1, maxDelayMs: 50 };
const query = [new HumanMessage("What is 2+2?")];
const items = (...responses: string[]): RewardItem[] =>
  responses.map((response) => ({ messages: query, response }));
/** The score the stubs give a response: a number that identifies it. */
const scoreOf = (response: string) => response.length + response.charCodeAt(0) / 1000;

function lastAssistant(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages;
  return messages[messages.length - 1].content;
}

/** The Llama-3 text that TEI and SGLang get: without <|begin_of_text|>, which they add themselves. */
function llama3(user: string, assistant: string): string {
  return (
    `<|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|>` +
    `<|start_header_id|>assistant<|end_header_id|>\n\n${assistant}<|eot_id|>`
  );
}

const BOS = "<|begin_of_text|>";
const bosCount = (text: string) => text.split(BOS).length - 1;

describe("vllm-pooling", () => {
  it("sends one chat-form request per response and reads the last per-token value", async () => {
    const server = await stub((req) => ({
      json: {
        object: "list",
        data: [{ index: 0, object: "pooling", data: [[0.1], [0.2], [scoreOf(lastAssistant(req.body))]] }],
      },
    }));
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-pooling", model: "rm" });
    const scores = await model.score(items("four", "It is 4.", "5"));

    expect(scores).toEqual([scoreOf("four"), scoreOf("It is 4."), scoreOf("5")]);
    expect(server.requests).toHaveLength(3);
    expect(model.requestCount(3)).toBe(3);
    for (const req of server.requests) expect(req.path).toBe("/pooling");
    const bodies = server.requests
      .map((r) => r.body)
      .sort((a, b) => lastAssistant(a).localeCompare(lastAssistant(b)));
    expect(bodies[0]).toEqual({
      model: "rm",
      messages: [
        { role: "user", content: "What is 2+2?" },
        { role: "assistant", content: "5" },
      ],
      add_generation_prompt: false,
      add_special_tokens: false,
      use_activation: false,
    });
  });

  it("accepts a plain number as the pooled value, and keeps system turns in the chat form", async () => {
    const server = await stub(() => ({ json: { data: [{ data: -1.5 }] } }));
    const model = createHttpRewardModel({ url: `${server.url}/`, kind: "vllm-pooling" });
    const scores = await model.score([
      { messages: [new SystemMessage("Be brief."), ...query], response: "4" },
    ]);
    expect(scores).toEqual([-1.5]);
    expect(server.requests[0].body).toMatchObject({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is 2+2?" },
        { role: "assistant", content: "4" },
      ],
    });
    expect(server.requests[0].body).not.toHaveProperty("model");
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    const hold = barrier(3, 10);
    const server = await stub(async () => {
      await hold();
      return { json: { data: [{ data: 1 }] } };
    });
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-pooling", concurrency: 3 });
    const scores = await model.score(items(...Array.from({ length: 10 }, (_, i) => `r${i}`)));
    expect(scores).toHaveLength(10);
    expect(server.requests).toHaveLength(10);
    expect(server.maxInFlight()).toBe(3);
  });

  it("sends the API key and extra headers", async () => {
    const server = await stub(() => ({ json: { data: [{ data: 1 }] } }));
    const model = createHttpRewardModel({
      url: server.url,
      kind: "vllm-pooling",
      apiKey: "sk-test",
      headers: { "x-team": "tpo" },
    });
    await model.score(items("a"));
    expect(server.requests[0].headers.authorization).toBe("Bearer sk-test");
    expect(server.requests[0].headers["x-team"]).toBe("tpo");
  });

  it("reads a one-label list, per item and per token row", async () => {
    const replies = [{ data: [2.5] }, { data: [[0.1], [0.2], [3.5]] }];
    const server = await stub((_req, index) => ({ json: { data: [replies[index]] } }));
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-pooling", concurrency: 1 });
    expect(await model.score(items("a", "b"))).toEqual([2.5, 3.5]);
  });

  it("takes the label that labelIndex names, per item and in the last token row", async () => {
    const replies = [
      { data: [0.3, -1.25] },
      {
        data: [
          [9, 9],
          [0.5, -2.5],
        ],
      },
    ];
    const server = await stub((_req, index) => ({ json: { data: [replies[index]] } }));
    const model = createHttpRewardModel({
      url: server.url,
      kind: "vllm-pooling",
      labelIndex: 1,
      concurrency: 1,
    });
    expect(await model.score(items("a", "b"))).toEqual([-1.25, -2.5]);
  });

  it("fails with a RewardLabelError naming --reward-label when there are several labels and no index", async () => {
    const server = await stub(() => ({
      json: { data: [{ index: 0, object: "pooling", data: [0.3, 0.7] }] },
    }));
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-pooling" });
    const error = await model.score(items("a")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardLabelError);
    expect(error).toBeInstanceOf(TpoConfigError);
    const { kind, url, labels, message } = error as RewardLabelError;
    expect({ kind, url, labels }).toEqual({ kind: "vllm-pooling", url: `${server.url}/pooling`, labels: 2 });
    expect(message).toContain(
      `The vllm-pooling reward server at ${server.url}/pooling returned 2 values per item`,
    );
    expect(message).toContain(
      "set --reward-label / TPO_REWARD_LABEL (the labelIndex option) to the index of the reward label (0 to 1)",
    );
    const rows = await stub(() => ({
      json: {
        data: [
          {
            data: [
              [1, 2, 3],
              [4, 5, 6],
            ],
          },
        ],
      },
    }));
    const perToken = await createHttpRewardModel({ url: rows.url, kind: "vllm-pooling" })
      .score(items("a"))
      .catch((e: unknown) => e);
    expect((perToken as RewardLabelError).labels).toBe(3);
  });

  it("fails with a RewardLabelError when labelIndex is past the last label", async () => {
    const server = await stub(() => ({ json: { data: [{ data: [0.3, 0.7] }] } }));
    const error = await createHttpRewardModel({ url: server.url, kind: "vllm-pooling", labelIndex: 2 })
      .score(items("a"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardLabelError);
    expect((error as Error).message).toContain(
      "--reward-label / TPO_REWARD_LABEL (the labelIndex option) is 2",
    );
    expect((error as Error).message).toContain("(0 to 1)");
  });
});

describe("vllm-classify", () => {
  it("sends the chat form to /classify and reads the single label's probs", async () => {
    const server = await stub((req) => ({
      json: {
        data: [{ index: 0, label: "LABEL_0", probs: [scoreOf(lastAssistant(req.body))], num_classes: 1 }],
      },
    }));
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-classify", model: "rm" });
    expect(await model.score(items("four"))).toEqual([scoreOf("four")]);
    expect(server.requests[0].path).toBe("/classify");
    expect(server.requests[0].body).toEqual({
      model: "rm",
      messages: [
        { role: "user", content: "What is 2+2?" },
        { role: "assistant", content: "four" },
      ],
      add_generation_prompt: false,
      add_special_tokens: false,
      use_activation: false,
    });
  });

  it("fails clearly on a classifier with more than one label and no label index", async () => {
    const server = await stub(() => ({ json: { data: [{ probs: [0.3, 0.7] }] } }));
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-classify" });
    const error = await model.score(items("a")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardLabelError);
    expect((error as Error).message).toMatch(
      /vllm-classify reward server at http:\/\/127\.0\.0\.1:\d+\/classify returned 2 values per item/,
    );
    expect((error as Error).message).toContain("set --reward-label / TPO_REWARD_LABEL");
  });

  it("takes the label that labelIndex names from a classifier's probs", async () => {
    const server = await stub(() => ({ json: { data: [{ probs: [0.3, 0.7], num_classes: 2 }] } }));
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-classify", labelIndex: 0 });
    expect(await model.score(items("a"))).toEqual([0.3]);
  });
});

describe("tei", () => {
  it("batches Llama-3-templated texts as [[text], ...] up to batchSize", async () => {
    const server = await stub((req) => {
      const inputs = (req.body as { inputs: string[][] }).inputs;
      return { json: inputs.map(([text]) => [{ score: text.length, label: "LABEL_0" }]) };
    });
    const model = createHttpRewardModel({ url: server.url, kind: "tei", batchSize: 2 });
    const responses = ["a", "bb", "ccc", "dddd", "eeeee"];
    const scores = await model.score(items(...responses));

    expect(scores).toEqual(responses.map((r) => llama3("What is 2+2?", r).length));
    for (const body of server.requests.map((r) => r.body as { inputs: string[][] })) {
      for (const [text] of body.inputs) expect(bosCount(text)).toBe(0);
    }
    expect(server.requests).toHaveLength(3);
    expect(model.requestCount(5)).toBe(3);
    const bodies = server.requests.map((r) => r.body as { inputs: string[][] });
    bodies.sort((a, b) => a.inputs[0][0].length - b.inputs[0][0].length);
    expect(server.requests.every((r) => r.path === "/predict")).toBe(true);
    expect(bodies).toEqual([
      {
        inputs: [[llama3("What is 2+2?", "a")], [llama3("What is 2+2?", "bb")]],
        raw_scores: true,
        truncate: true,
      },
      {
        inputs: [[llama3("What is 2+2?", "ccc")], [llama3("What is 2+2?", "dddd")]],
        raw_scores: true,
        truncate: true,
      },
      { inputs: [[llama3("What is 2+2?", "eeeee")]], raw_scores: true, truncate: true },
    ]);
  });

  it("sends no <|begin_of_text|> of its own: TEI's tokenizer adds it, once", async () => {
    const server = await stub((req) => ({
      json: (req.body as { inputs: string[][] }).inputs.map(() => [{ score: 1, label: "LABEL_0" }]),
    }));
    await createHttpRewardModel({ url: server.url, kind: "tei" }).score(items("four"));
    await createHttpRewardModel({ url: server.url, kind: "tei", chatTemplate: LLAMA3_CHAT_TEMPLATE }).score(
      items("four"),
    );
    for (const request of server.requests) {
      const [[text]] = (request.body as { inputs: string[][] }).inputs;
      expect(text.startsWith("<|start_header_id|>user<|end_header_id|>")).toBe(true);
      // The server adds one BOS in front; the text carries none, so the model sees exactly one.
      expect(bosCount(BOS + text)).toBe(1);
    }
  });

  it("renders the Tulu template that it is given", async () => {
    const server = await stub((req) => ({
      json: (req.body as { inputs: string[][] }).inputs.map(() => [{ score: 1, label: "LABEL_0" }]),
    }));
    await createHttpRewardModel({ url: server.url, kind: "tei", chatTemplate: TULU_CHAT_TEMPLATE }).score(
      items("4"),
    );
    expect((server.requests[0].body as { inputs: string[][] }).inputs).toEqual([
      ["<|user|>\nWhat is 2+2?\n<|assistant|>\n4<|end_of_text|>"],
    ]);
  });

  it("uses a chat template that the user supplies, as a turn string or a template object", async () => {
    const server = await stub((req) => ({
      json: (req.body as { inputs: string[][] }).inputs.map(() => [{ score: 1, label: "LABEL_0" }]),
    }));
    const conversation = [new SystemMessage("Be brief."), new HumanMessage("Hi {there}")];
    await createHttpRewardModel({ url: server.url, kind: "tei", chatTemplate: "[{role}] {content}\n" }).score(
      [{ messages: conversation, response: "Hello {role}" }],
    );
    await createHttpRewardModel({
      url: server.url,
      kind: "tei",
      chatTemplate: { ...LLAMA3_CHAT_TEMPLATE, begin: "", roles: { assistant: "model" } },
    }).score([{ messages: [new HumanMessage("Hi")], response: "Hello" }]);
    expect((server.requests[0].body as { inputs: string[][] }).inputs).toEqual([
      ["[system] Be brief.\n[user] Hi {there}\n[assistant] Hello {role}\n"],
    ]);
    expect((server.requests[1].body as { inputs: string[][] }).inputs).toEqual([
      [
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
          "<|start_header_id|>model<|end_header_id|>\n\nHello<|eot_id|>",
      ],
    ]);
  });

  it("fails clearly when the server returns the wrong number of scores", async () => {
    const server = await stub(() => ({
      json: [[{ score: 1, label: "LABEL_0" }], [{ score: 2, label: "LABEL_0" }]],
    }));
    const model = createHttpRewardModel({ url: server.url, kind: "tei" });
    const error = await model.score(items("a", "b", "c")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardRequestError);
    expect((error as Error).message).toContain("tei reward server at");
    expect((error as Error).message).toContain("with 3 entries (one per response), got 2");
  });
});

describe("sglang", () => {
  it("sends the templated texts as one list and reads embedding[0] of each item", async () => {
    const server = await stub((req) => ({
      json: (req.body as { text: string[] }).text.map((text, index) => ({
        embedding: [text.length],
        meta_info: { id: String(index) },
      })),
    }));
    const model = createHttpRewardModel({ url: server.url, kind: "sglang", model: "Skywork-Reward" });
    const scores = await model.score(items("a", "bb", "ccc"));
    expect(scores).toEqual(["a", "bb", "ccc"].map((r) => llama3("What is 2+2?", r).length));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].path).toBe("/classify");
    expect(server.requests[0].body).toEqual({
      model: "Skywork-Reward",
      text: ["a", "bb", "ccc"].map((r) => llama3("What is 2+2?", r)),
    });
    // SGLang tokenizes `text` with the tokenizer's special tokens: no BOS from the client.
    for (const text of (server.requests[0].body as { text: string[] }).text) expect(bosCount(text)).toBe(0);
  });

  it("fails clearly when an item has no embedding", async () => {
    const server = await stub(() => ({ json: [{ embedding: [] }] }));
    const error = await createHttpRewardModel({ url: server.url, kind: "sglang" })
      .score(items("a"))
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain("[0].embedding should be a non-empty list of numbers");
  });
});

describe("nim", () => {
  const content = "helpfulness:1.5,correctness:2.25,coherence:3.0,complexity:0.5,verbosity:-0.25";
  const reply = () => ({
    json: { choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] },
  });

  it("sends [user, assistant] to /v1/chat/completions and takes the first dimension", async () => {
    const server = await stub(reply);
    const model = createHttpRewardModel({
      url: `${server.url}/v1`,
      kind: "nim",
      model: "nvidia/nemotron-4-340b-reward",
    });
    const scores = await model.score([{ messages: [new SystemMessage("sys"), ...query], response: "4" }]);
    expect(scores).toEqual([1.5]);
    expect(server.requests[0].path).toBe("/v1/chat/completions");
    expect(server.requests[0].body).toEqual({
      model: "nvidia/nemotron-4-340b-reward",
      messages: [
        { role: "user", content: "What is 2+2?" },
        { role: "assistant", content: "4" },
      ],
    });
  });

  it("takes the dimension named by nimDimension, and names the dimensions when it is missing", async () => {
    const server = await stub(reply);
    const base = { url: server.url, kind: "nim" as const, model: "m" };
    expect(await createHttpRewardModel({ ...base, nimDimension: "Correctness" }).score(items("a"))).toEqual([
      2.25,
    ]);
    expect(await createHttpRewardModel({ ...base, nimDimension: "verbosity" }).score(items("a"))).toEqual([
      -0.25,
    ]);
    const error = await createHttpRewardModel({ ...base, nimDimension: "honesty" })
      .score(items("a"))
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('no dimension "honesty"');
    expect((error as Error).message).toContain("helpfulness, correctness, coherence, complexity, verbosity");
  });

  it("needs a model name", () => {
    expect(() => createHttpRewardModel({ url: "http://127.0.0.1:1", kind: "nim" })).toThrow(TpoConfigError);
  });
});

describe("faults", () => {
  it("retries a 429, honouring Retry-After, then succeeds", { timeout: 10_000 }, async () => {
    const server = await stub((_req, index) =>
      index === 0
        ? { status: 429, json: { error: "slow down" }, headers: { "retry-after": "0" } }
        : { json: { data: [{ data: 7 }] } },
    );
    // A backoff of this size would outlast the test timeout: only Retry-After: 0 lets it pass.
    const model = createHttpRewardModel({
      url: server.url,
      kind: "vllm-pooling",
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    expect(await model.score(items("a"))).toEqual([7]);
    expect(server.requests).toHaveLength(2);
  });

  it("honours Retry-After as an HTTP date", { timeout: 10_000 }, async () => {
    const server = await stub((_req, index) =>
      index < 2
        ? { status: 503, raw: "busy", headers: { "retry-after": new Date(Date.now() - 1000).toUTCString() } }
        : { json: [[{ score: 3, label: "LABEL_0" }]] },
    );
    const model = createHttpRewardModel({
      url: server.url,
      kind: "tei",
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    expect(await model.score(items("a"))).toEqual([3]);
    expect(server.requests).toHaveLength(3);
  });

  it("gives up at once when Retry-After asks for longer than maxDelayMs", async () => {
    const server = await stub(() => ({ status: 429, raw: "quota", headers: { "retry-after": "120" } }));
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-pooling", retry: fast });
    const error = await model.score(items("a")).catch((e: unknown) => e);
    expect(server.requests).toHaveLength(1);
    expect((error as Error).message).toContain("asked to retry after 120 s");
  });

  it("retries 5xx until the attempts run out, then names kind, URL, status and body", async () => {
    const server = await stub(() => ({ status: 503, raw: '{"error":"model is loading"}' }));
    const model = createHttpRewardModel({
      url: server.url,
      kind: "vllm-pooling",
      retry: { ...fast, maxRetries: 2 },
    });
    const error = await model.score(items("a")).catch((e: unknown) => e);
    expect(server.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(RewardRequestError);
    const { message, kind, url, status } = error as RewardRequestError;
    expect({ kind, url, status }).toEqual({
      kind: "vllm-pooling",
      url: `${server.url}/pooling`,
      status: 503,
    });
    expect(message).toContain(`vllm-pooling reward server at ${server.url}/pooling`);
    expect(message).toContain('HTTP 503: {"error":"model is loading"} (after 3 attempts)');
  });

  it("does not retry a 4xx, and hints at the setting to check", async () => {
    const server = await stub(() => ({ status: 404, raw: '{"detail":"Not Found"}' }));
    const model = createHttpRewardModel({ url: server.url, kind: "sglang", retry: fast });
    const error = await model.score(items("a")).catch((e: unknown) => e);
    expect(server.requests).toHaveLength(1);
    expect((error as Error).message).toContain('HTTP 404: {"detail":"Not Found"}');
    expect((error as Error).message).toContain("TPO_REWARD_URL");
  });

  it("fails clearly on a body that is not JSON", async () => {
    const server = await stub(() => ({ raw: "<html>gateway</html>" }));
    const error = await createHttpRewardModel({ url: server.url, kind: "tei", retry: fast })
      .score(items("a"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardRequestError);
    expect((error as Error).message).toContain("tei reward server at");
    expect((error as Error).message).toContain("HTTP 200 with a body that is not JSON: <html>gateway</html>");
  });

  it("fails clearly on JSON of the wrong shape", async () => {
    const server = await stub(() => ({ json: { embeddings: [1] } }));
    const error = await createHttpRewardModel({ url: server.url, kind: "vllm-pooling", retry: fast })
      .score(items("a"))
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain("wrong shape");
    expect((error as Error).message).toContain('{"embeddings":[1]}');
  });

  it("times out each attempt and says so", async () => {
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));
    const server = await stub(async () => {
      await never;
      return { json: { data: [{ data: 1 }] } };
    });
    const model = createHttpRewardModel({
      url: server.url,
      kind: "vllm-pooling",
      timeoutMs: 50,
      retry: { ...fast, maxRetries: 1 },
    });
    const error = await model.score(items("a")).catch((e: unknown) => e);
    release();
    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(RewardRequestError);
    expect((error as Error).message).toContain("no response within 50 ms (timeout) (after 2 attempts)");
    expect((error as RewardRequestError).status).toBeUndefined();
  });

  it("retries connection errors and then names them", async () => {
    const port = await closedPort();
    const model = createHttpRewardModel({
      url: `http://127.0.0.1:${port}`,
      kind: "nim",
      model: "m",
      retry: { ...fast, maxRetries: 1 },
    });
    const error = await model.score(items("a")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewardRequestError);
    expect((error as Error).message).toContain(
      `nim reward server at http://127.0.0.1:${port}/v1/chat/completions`,
    );
    expect((error as Error).message).toMatch(/connection failed \(ECONNREFUSED\) \(after 2 attempts\)/);
  });

  it("stops at once when the caller aborts, without retrying", async () => {
    const controller = new AbortController();
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));
    const server = await stub(async () => {
      controller.abort(new Error("cancelled by the caller"));
      await never;
      return { json: { data: [{ data: 1 }] } };
    });
    const model = createHttpRewardModel({ url: server.url, kind: "vllm-pooling", retry: fast });
    const error = await model.score(items("a", "b"), { signal: controller.signal }).catch((e: unknown) => e);
    release();
    expect((error as Error).message).toBe("cancelled by the caller");
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });

  it("stops sending after the first failure and leaves no request running", async () => {
    const server = await stub((_req, index) =>
      index === 0 ? { status: 400, raw: "bad" } : { json: { data: [{ data: 1 }] } },
    );
    const model = createHttpRewardModel({
      url: server.url,
      kind: "vllm-pooling",
      concurrency: 1,
      retry: fast,
    });
    await expect(model.score(items("a", "b", "c", "d"))).rejects.toThrow(RewardRequestError);
    expect(server.requests).toHaveLength(1);
    expect(server.inFlight()).toBe(0);
  });
});

describe("options", () => {
  it("rejects an unknown kind, a bad URL and a bad batch size with TpoConfigError", () => {
    expect(() => createHttpRewardModel({ url: "http://x", kind: "triton" as never })).toThrow(
      /use one of vllm-pooling, vllm-classify, tei, sglang, nim/,
    );
    expect(() => createHttpRewardModel({ url: "localhost:8000", kind: "tei" })).toThrow(TpoConfigError);
    expect(() => createHttpRewardModel({ url: "http://x", kind: "tei", batchSize: 0 })).toThrow(/batchSize/);
    expect(() => createHttpRewardModel({ url: "http://x", kind: "tei", timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => createHttpRewardModel({ url: "http://x", kind: "tei", retry: { maxRetries: 0.5 } })).toThrow(
      "retry.maxRetries must be a whole number of 0 or more, not 0.5.",
    );
  });

  it("refuses a label index that is not a whole number, or for a kind without labels", () => {
    expect(() => createHttpRewardModel({ url: "http://x", kind: "vllm-pooling", labelIndex: -1 })).toThrow(
      "--reward-label / TPO_REWARD_LABEL (the labelIndex option) must be a whole number of 0 or more, not -1.",
    );
    expect(() => createHttpRewardModel({ url: "http://x", kind: "vllm-pooling", labelIndex: 0.5 })).toThrow(
      TpoConfigError,
    );
    expect(() => createHttpRewardModel({ url: "http://x", kind: "tei", labelIndex: 0 })).toThrow(
      "applies to the vllm-pooling and vllm-classify kinds, not tei",
    );
  });

  it("refuses a chat template for a kind whose server applies its own", () => {
    for (const kind of ["vllm-pooling", "vllm-classify", "nim"] as const) {
      expect(() =>
        createHttpRewardModel({ url: "http://x", kind, model: "m", chatTemplate: TULU_CHAT_TEMPLATE }),
      ).toThrow(
        `--reward-template / TPO_REWARD_TEMPLATE, the chatTemplate option) applies to the tei and sglang kinds, not ${kind}`,
      );
    }
  });

  it("refuses a template whose begin holds the BOS for a server that adds it", () => {
    const template = { begin: "<|begin_of_text|>", turn: "{role}: {content}\n" };
    for (const kind of ["tei", "sglang"] as const) {
      expect(() => createHttpRewardModel({ url: "http://x", kind, chatTemplate: template })).toThrow(
        `starts with <|begin_of_text|>, which the ${kind} server's tokenizer adds itself`,
      );
    }
    expect(() =>
      createHttpRewardModel({
        url: "http://x",
        kind: "tei",
        chatTemplate: { bos: "<s>", begin: "<s>", turn: "x" },
      }),
    ).toThrow("starts with <s>");
  });

  it("makes no request for no items", async () => {
    const server = await stub(() => ({ json: [] }));
    expect(await createHttpRewardModel({ url: server.url, kind: "tei" }).score([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
