import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { RewardLabelError, RewardRequestError } from "../src/errors.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { createHttpRewardModel, type HttpRewardModelOptions } from "../src/models/reward/http-reward.js";
import type { HttpRewardKind } from "../src/models/reward/reward-kinds.js";
import { ScriptedChatModel, uniqueResponder } from "./helpers/fakes.js";
import { startStub, type Stub, type StubHandler, type StubRequest } from "./helpers/reward-stub.js";

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
      'should be a finite number, not Infinity. It sent: {"data":[{"index":0,"data":[[0.5],[Infinity]]}]}',
    ],
    ["tei", '[[{"score":-1e999,"label":"LABEL_0"}]]', "should be a finite number, not -Infinity"],
    // Two labels and none chosen: the error quotes the body, overflowed value included.
    [
      "vllm-classify",
      '{"data":[{"index":0,"probs":[0.25,1e999]}]}',
      'It sent: {"data":[{"index":0,"probs":[0.25,Infinity]}]}',
    ],
  ] as const)("from %s is named as it is, not as null", async (kind, raw, expected) => {
    const server = await stub(() => ({ raw }));
    const error = await createHttpRewardModel({ url: server.url, kind })
      .score([{ messages: query, response: "4" }])
      .then(
        () => new Error("no error"),
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(kind === "vllm-classify" ? RewardLabelError : RewardRequestError);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain("null");
  });
});

/** A score that identifies the response it was given for. */
function scoreOf(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 10_007;
  return h / 100;
}

/** The responses a request asks about, in the order of the request. */
function responsesOf(kind: HttpRewardKind, body: unknown): string[] {
  const b = body as { messages?: { content: string }[]; inputs?: string[][]; text?: string[] };
  const templated = (text: string) =>
    /<\|start_header_id\|>assistant<\|end_header_id\|>\n\n(.*)<\|eot_id\|>$/s.exec(text)![1];
  if (kind === "tei") return b.inputs!.map(([text]) => templated(text));
  if (kind === "sglang") return b.text!.map(templated);
  return [b.messages![b.messages!.length - 1].content];
}

/** What a server of each kind answers for these responses, in their order. */
function reply(kind: HttpRewardKind, responses: string[]): unknown {
  const scores = responses.map(scoreOf);
  switch (kind) {
    case "vllm-pooling":
      return { object: "list", data: [{ index: 0, object: "pooling", data: [[0.1], [scores[0]]] }] };
    case "vllm-classify":
      return { data: [{ index: 0, label: "LABEL_0", probs: [scores[0]], num_classes: 1 }] };
    case "nim":
      return { choices: [{ index: 0, message: { role: "assistant", content: `helpfulness:${scores[0]}` } }] };
    case "tei":
      return scores.map((score) => [{ score, label: "LABEL_0" }]);
    case "sglang":
      return scores.map((score, i) => ({ embedding: [score], meta_info: { id: String(i) } }));
  }
}

/**
 * A handler that holds requests in groups of `group` and answers each group's requests in the
 * reverse order of the responses they carry: the one with the last response first, the one
 * with the first response last, 30 ms apart. `answered` lists the responses as they were answered.
 */
function laterItemsFirst(kind: HttpRewardKind, group: number, rank: (response: string) => number) {
  const answered: string[][] = [];
  let waiting: { request: StubRequest; release: () => void }[] = [];
  const handler: StubHandler = async (request) => {
    await new Promise<void>((release) => {
      waiting.push({ request, release });
      if (waiting.length < group) return;
      const held = waiting.sort(
        (a, b) => rank(responsesOf(kind, b.request.body)[0]) - rank(responsesOf(kind, a.request.body)[0]),
      );
      waiting = [];
      held.forEach((h, i) => setTimeout(h.release, 30 * i));
    });
    const responses = responsesOf(kind, request.body);
    answered.push(responses);
    return { json: reply(kind, responses) };
  };
  return { handler, answered };
}

describe("a reward server that answers later responses first", () => {
  const responses = ["r0: four", "r1: It is 4.", "r2: 4", "r3: 2+2 is 4", "r4: five"];
  const rank = (response: string) => Number(/^r(\d+)/.exec(response)![1]);
  const cases: [HttpRewardKind, Partial<HttpRewardModelOptions>, number][] = [
    ["vllm-pooling", {}, 5],
    ["vllm-classify", {}, 5],
    ["nim", { model: "m" }, 5],
    ["tei", { batchSize: 2 }, 3],
    ["sglang", { batchSize: 2 }, 3],
  ];

  it.each(cases)("%s: every response gets its own score", async (kind, options, requests) => {
    const { handler, answered } = laterItemsFirst(kind, requests, rank);
    const server = await stub(handler);
    const model = createHttpRewardModel({ url: server.url, kind, ...options });
    const scores = await model.score(responses.map((response) => ({ messages: query, response })));
    expect(server.requests).toHaveLength(requests);
    // The server did answer out of order: the request with the last response came back first.
    expect(answered.map((r) => rank(r[0]))).toEqual(
      [...answered.map((r) => rank(r[0]))].sort((a, b) => b - a),
    );
    expect(answered[0]).toContain(responses[4]);
    expect(scores).toEqual(responses.map(scoreOf));
  });

  it("a TPO run gives each candidate the score the server gave its text", async () => {
    const kind = "vllm-pooling";
    // The candidates of a batch are "sample 0.i" or "update c.i", i in the order of the pool.
    const { handler } = laterItemsFirst(kind, 4, (response) => Number(response.split(".").pop()));
    const server = await stub(handler);
    const graph = createTpoGraph({
      policy: new ScriptedChatModel(uniqueResponder()),
      rewardModel: createHttpRewardModel({ url: server.url, kind }),
    });
    const out = await graph.invoke({ query: "q" }, { context: { width: 4, depth: 2 } });
    expect(out.pool).toHaveLength(12);
    for (const candidate of out.pool)
      expect([candidate.text, candidate.score]).toEqual([candidate.text, scoreOf(candidate.text)]);
    const best = out.pool.reduce((a, b) => (scoreOf(b.text) > scoreOf(a.text) ? b : a));
    expect(out.best?.text).toBe(best.text);
  });
});
