import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { Overwrite } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PROMPTS,
  makeCritiqueNode,
  makeFinalizeNode,
  makeGenerateNode,
  makeGradientNode,
  makeRewardNode,
  makeSelectNode,
  makeUpdateNode,
  TpoError,
  TpoInputError,
  TpoState,
  type Candidate,
  type RewardModel,
  type TpoNode,
  type TpoStateType,
  type TpoContextInput,
  type HistoryRecord,
} from "../src/index.js";
import { withNodeRecords } from "../src/graph/node-records.js";
import { recordReplicaUsage } from "../src/models/pool/replica-usage.js";
import {
  emptyUsage,
  makeCandidate,
  mergeHistory,
  type HistoryPatch,
  type TpoUpdate,
  type Usage,
} from "../src/state/state.js";
import { RecordingRewardModel, ScriptedChatModel, type RecordedCall } from "./helpers/fakes.js";
import { section } from "./helpers/sections.js";

function scored(text: string, score: number | null, iteration: number): Candidate {
  return { ...makeCandidate(text, iteration, iteration === 0 ? "sample" : "update"), score };
}

function state(patch: Partial<TpoStateType>): TpoStateType {
  const defaults = Object.fromEntries(
    Object.entries(TpoState.spec).map(([key, channel]) => [
      key,
      (channel as { initialValueFactory?: () => unknown }).initialValueFactory?.(),
    ]),
  );
  return { ...defaults, query: "the query", ...patch } as TpoStateType;
}

const runtime = (context: TpoContextInput = {}) => ({ context });

/** The user turn of a recorded model call. */
const userPrompt = (call: RecordedCall) => call.messages[call.messages.length - 1].text;

/** A node's update, with the list-valued channels as plain lists (built-in nodes never overwrite them here). */
interface PlainUpdate extends Omit<TpoUpdate, "pool" | "history"> {
  pool?: Candidate[];
  history?: HistoryPatch[];
}

async function apply(
  node: TpoNode,
  current: TpoStateType,
  context: TpoContextInput = {},
): Promise<PlainUpdate> {
  return (await node(current, runtime(context))) as PlainUpdate;
}

describe("select", () => {
  it("chooses over the whole pool, all iterations, breaking ties by the earliest candidate", async () => {
    const pool = [
      scored("a", 5, 0),
      scored("b", 1, 0),
      scored("c", 9, 1),
      scored("d", 9, 2),
      scored("e", 1, 2),
    ];
    const update = await apply(makeSelectNode(), state({ pool, iteration: 2 }), { depth: 3 });
    expect(update).toEqual({ chosen: pool[2].id, rejected: pool[1].id });
  });

  it.each([
    ["best first, worst last", [9, 4, 6, 2, 1], 0, 4],
    ["worst first, best last", [-8, -3, -5, -1], 3, 0],
    ["both inside, all negative", [-3, -7.5, -1, -7, -2], 2, 1],
  ])(
    "chooses the one best and rejects the one worst when scores are distinct (%s)",
    async (_case, scores, best, worst) => {
      const pool = scores.map((score, i) => scored(`text ${i}`, score, i % 3));
      const update = await apply(makeSelectNode(), state({ pool, iteration: 2 }), { depth: 3 });
      expect(update).toEqual({ chosen: pool[best].id, rejected: pool[worst].id });
    },
  );

  it("has no rejected response when the pool holds one score", async () => {
    const update = await apply(makeSelectNode(), state({ pool: [scored("only", 3, 0)] }), {});
    expect(update.rejected).toBeNull();
  });

  it("ignores candidates that have no score", async () => {
    const pool = [scored("a", null, 0), scored("b", 2, 0)];
    const update = await apply(makeSelectNode(), state({ pool }), {});
    expect(update.chosen).toBe(pool[1].id);
  });

  it("refuses a pool without a score: the reward node must run first", async () => {
    const error = await apply(makeSelectNode(), state({ pool: [scored("a", null, 0)] }), {}).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TpoError);
    expect((error as Error).message).toBe(
      "No scored candidate in the pool: the reward node must run before select.",
    );
  });
});

describe("generate", () => {
  it("fails, naming how many samples came back, when every sample is empty", async () => {
    const policy = new ScriptedChatModel(() => " \n ");
    const error = await apply(makeGenerateNode({ policy }), state({}), { width: 3 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TpoError);
    expect((error as Error).message).toBe(
      "The policy returned no usable response: all 3 samples were empty.",
    );
  });
});

describe("reward", () => {
  it("scores only unscored candidates, in one call, with the conversation", async () => {
    const rewardModel = new RecordingRewardModel(() => 4);
    const pool = [scored("old", 1, 0), scored("new one", null, 1)];
    const update = await apply(makeRewardNode({ rewardModel }), state({ pool, iteration: 1 }), {});
    expect(rewardModel.batches).toHaveLength(1);
    expect(rewardModel.batches[0].map((i) => i.response)).toEqual(["new one"]);
    expect(rewardModel.batches[0][0].messages[0].content).toBe("the query");
    expect(update).toEqual({ pool: [{ ...pool[1], score: 4 }], usage: { rewardRequests: 1 } });
  });

  it("gives each candidate the score of its own text", async () => {
    const rewardModel = new RecordingRewardModel((text) => Number(text.slice(1)));
    const pool = [scored("s7", 7, 0), scored("u3", null, 1), scored("u1", null, 1), scored("u2", null, 1)];
    const update = await apply(makeRewardNode({ rewardModel }), state({ pool, iteration: 1 }), {});
    expect(update.pool?.map((c) => [c.text, c.score])).toEqual([
      ["u3", 3],
      ["u1", 1],
      ["u2", 2],
    ]);
  });

  it("makes no call when every candidate has a score", async () => {
    const rewardModel = new RecordingRewardModel();
    expect(await apply(makeRewardNode({ rewardModel }), state({ pool: [scored("a", 1, 0)] }), {})).toEqual(
      {},
    );
    expect(rewardModel.batches).toHaveLength(0);
  });

  it("adds what each server of a pool did for the scores to the usage", async () => {
    const rewardModel: RewardModel = {
      name: "pooled",
      score: async (items) => {
        recordReplicaUsage("reward", "http://a:1", { requests: 1, promptTokens: 5 });
        return items.map(() => 1);
      },
    };
    const update = await apply(makeRewardNode({ rewardModel }), state({ pool: [scored("u", null, 0)] }), {});
    expect(update.usage).toEqual({
      rewardRequests: 1,
      replicas: {
        reward: { "http://a:1": { requests: 1, failures: 0, promptTokens: 5, cachedPromptTokens: 0 } },
      },
    });
  });
});

describe("critique", () => {
  const pool = [scored("CHOSEN TEXT", 9, 0), scored("REJECTED TEXT", 1, 0)];
  const base = { pool, chosen: pool[0].id, rejected: pool[1].id };

  it("shows the query, the chosen and the rejected response each in its own section (mode tpo)", async () => {
    const critic = new ScriptedChatModel(() => "a critique");
    const update = await apply(makeCritiqueNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      mode: "tpo",
    });
    const prompt = userPrompt(critic.calls[0]);
    expect(section(prompt, "query")).toBe("the query");
    expect(section(prompt, "chosen_response")).toBe("CHOSEN TEXT");
    expect(section(prompt, "rejected_response")).toBe("REJECTED TEXT");
    expect(section(prompt, "response")).toBeNull();
    expect(critic.calls[0].messages[0].text).toBe(DEFAULT_PROMPTS.critique.system);
    expect(update).toEqual({
      critiqueText: "a critique",
      usage: expect.objectContaining({ modelRequests: 1 }),
    });
  });

  it("shows the chosen response alone, as the response, in revision mode", async () => {
    const critic = new ScriptedChatModel(() => "a critique");
    await apply(makeCritiqueNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), { mode: "revision" });
    const prompt = userPrompt(critic.calls[0]);
    expect(section(prompt, "query")).toBe("the query");
    expect(section(prompt, "response")).toBe("CHOSEN TEXT");
    expect(critic.calls[0].prompt).not.toContain("REJECTED TEXT");
    expect(critic.calls[0].prompt).not.toContain("<rejected_response>");
  });

  it("fills the placeholders of values the step does not have (yet) with nothing", async () => {
    const critic = new ScriptedChatModel(() => "a critique");
    const prompts = {
      ...DEFAULT_PROMPTS,
      revisionCritique: { system: "Judge.", user: "[{rejected}|{critique}|{gradient}|{systemPrompt}]" },
    };
    await apply(makeCritiqueNode({ critic, prompts }), state(base), { mode: "revision" });
    expect(userPrompt(critic.calls[0])).toBe("[|||]");
  });

  it("refuses to run before select has chosen a candidate", async () => {
    const critic = new ScriptedChatModel(() => "a critique");
    const error = await apply(
      makeCritiqueNode({ critic, prompts: DEFAULT_PROMPTS }),
      state({ pool }),
      {},
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TpoInputError);
    expect((error as Error).message).toBe(
      "The critique node needs a chosen candidate, but select has not chosen one.",
    );
    expect(critic.calls).toHaveLength(0);
  });

  it("shows placeholders inside the query and the responses literally", async () => {
    const tricky = [scored("Use {rejected} and {query}.", 9, 0), scored("Mine says {chosen}.", 1, 0)];
    const critic = new ScriptedChatModel(() => "a critique");
    await apply(
      makeCritiqueNode({ critic, prompts: DEFAULT_PROMPTS }),
      state({ pool: tricky, chosen: tricky[0].id, rejected: tricky[1].id, query: "What is {chosen}?" }),
      {},
    );
    const prompt = userPrompt(critic.calls[0]);
    expect(section(prompt, "query")).toBe("What is {chosen}?");
    expect(section(prompt, "chosen_response")).toBe("Use {rejected} and {query}.");
    expect(section(prompt, "rejected_response")).toBe("Mine says {chosen}.");
  });

  it("sends the critic's own sampling settings, its seed moving on with the iteration", async () => {
    const critic = new ScriptedChatModel(() => "a critique");
    const settings = { criticTemperature: 0.2, criticTopP: 0.5, criticMaxTokens: 99, seed: 5, width: 3 };
    await apply(makeCritiqueNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), settings);
    await apply(
      makeCritiqueNode({ critic, prompts: DEFAULT_PROMPTS }),
      state({ ...base, iteration: 1 }),
      settings,
    );
    // Iteration k's critic requests use seed + k·N.
    expect(critic.calls[0].options).toMatchObject({
      temperature: 0.2,
      topP: 0.5,
      maxTokens: 99,
      seed: 8,
      n: 1,
    });
    expect(critic.calls[1].options).toMatchObject({ seed: 11 });
  });

  it("samples like the reference by default: temperature 0.7, top_p 0.99", async () => {
    const critic = new ScriptedChatModel(() => "a critique");
    await apply(makeCritiqueNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {});
    expect(critic.calls[0].options).toMatchObject({ temperature: 0.7, topP: 0.99 });
  });
});

describe("gradient", () => {
  const pool = [scored("CHOSEN TEXT", 9, 0), scored("REJECTED TEXT", 1, 0)];
  const base = {
    pool,
    chosen: pool[0].id,
    rejected: pool[1].id,
    critiqueText: "THE CRITIQUE",
    gradientText: "THE PREVIOUS ITERATION'S SUGGESTIONS",
  };

  it("turns this iteration's critique of chosen against rejected into suggestions (mode tpo)", async () => {
    const critic = new ScriptedChatModel(() => "the suggestions");
    const update = await apply(makeGradientNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      mode: "tpo",
      criticTemperature: 0.3,
    });
    expect(critic.calls).toHaveLength(1);
    const prompt = userPrompt(critic.calls[0]);
    expect(section(prompt, "query")).toBe("the query");
    expect(section(prompt, "chosen_response")).toBe("CHOSEN TEXT");
    expect(section(prompt, "rejected_response")).toBe("REJECTED TEXT");
    expect(section(prompt, "critique")).toBe("THE CRITIQUE");
    expect(critic.calls[0].prompt).not.toContain("PREVIOUS ITERATION");
    expect(critic.calls[0].messages[0].text).toBe(DEFAULT_PROMPTS.gradient.system);
    expect(critic.calls[0].options).toMatchObject({ temperature: 0.3, n: 1 });
    expect(update).toEqual({
      gradientText: "the suggestions",
      usage: expect.objectContaining({ modelRequests: 1 }),
    });
  });

  it("sees the chosen response alone, with the critique, in revision mode", async () => {
    const critic = new ScriptedChatModel(() => "the suggestions");
    await apply(makeGradientNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), { mode: "revision" });
    const prompt = userPrompt(critic.calls[0]);
    expect(section(prompt, "response")).toBe("CHOSEN TEXT");
    expect(section(prompt, "critique")).toBe("THE CRITIQUE");
    expect(critic.calls[0].prompt).not.toContain("REJECTED TEXT");
    expect(critic.calls[0].messages[0].text).toBe(DEFAULT_PROMPTS.revisionGradient.system);
  });

  it("shows placeholders inside the response and the critique literally", async () => {
    const tricky = scored("Print {critique} here.", 9, 0);
    const critic = new ScriptedChatModel(() => "the suggestions");
    await apply(
      makeGradientNode({ critic, prompts: DEFAULT_PROMPTS }),
      state({ pool: [tricky], chosen: tricky.id, critiqueText: "It lacks {chosen}." }),
      {},
    );
    const prompt = userPrompt(critic.calls[0]);
    expect(section(prompt, "response")).toBe("Print {critique} here.");
    expect(section(prompt, "critique")).toBe("It lacks {chosen}.");
  });
});

describe("update", () => {
  const chosen = scored("CHOSEN", 9, 0);
  const base = { pool: [chosen], chosen: chosen.id, critiqueText: "crit", gradientText: "SUGGESTIONS" };

  it("takes tagged text, drops and counts outputs without tags, and counts empty outputs as failures", async () => {
    const outputs = [
      "<improved_response>\n tagged \n</improved_response>",
      "  untagged  ",
      "",
      "<improved_response></improved_response>",
    ];
    const critic = new ScriptedChatModel((_call, index) => outputs[index]);
    const update = await apply(makeUpdateNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      width: 4,
      seed: 1,
    });
    expect(update.pool?.map((c) => c.text)).toEqual(["tagged"]);
    expect(update.pool?.every((c) => c.iteration === 1 && c.origin === "update" && c.score === null)).toBe(
      true,
    );
    expect(update.history).toEqual([{ iteration: 1, untagged: 1, failures: 2, sampling: "n" }]);
    expect(critic.calls[0].prompt).toContain("SUGGESTIONS");
    expect(critic.calls[0].options).toMatchObject({
      n: 4,
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 2048,
      seed: 5, // seed + k·N for the update of iteration 1
    });
  });

  it("does not add a rewrite identical to a candidate already in the pool", async () => {
    const critic = new ScriptedChatModel(() => "<improved_response>CHOSEN</improved_response>");
    const update = await apply(makeUpdateNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      width: 2,
    });
    expect(update.pool).toEqual([]);
    expect(update.history?.[0]).toMatchObject({ untagged: 0, failures: 0 });
  });

  it('keeps an untagged output whole with untaggedRewrites "keep"', async () => {
    const outputs = ["<improved_response>tagged</improved_response>", "  untagged  "];
    const critic = new ScriptedChatModel((_call, index) => outputs[index]);
    const update = await apply(makeUpdateNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      width: 2,
      untaggedRewrites: "keep",
    });
    expect(update.pool?.map((c) => c.text)).toEqual(["tagged", "untagged"]);
    expect(update.history?.[0]).toMatchObject({ untagged: 1, failures: 0 });
  });

  it("counts an output cut short before its close tag as tagged", async () => {
    const critic = new ScriptedChatModel(() => "<improved_response>\ncut short by max tok");
    const update = await apply(makeUpdateNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      width: 1,
    });
    expect(update.pool?.map((c) => c.text)).toEqual(["cut short by max tok"]);
    expect(update.history?.[0]).toMatchObject({ untagged: 0 });
  });

  it("counts a whitespace-only output as a failure, not as an untagged rewrite", async () => {
    const outputs = ["<improved_response>tagged</improved_response>", " \n\t "];
    const critic = new ScriptedChatModel((_call, index) => outputs[index]);
    const update = await apply(makeUpdateNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      width: 2,
    });
    expect(update.pool?.map((c) => c.text)).toEqual(["tagged"]);
    expect(update.history?.[0]).toMatchObject({ untagged: 0, failures: 1 });
  });

  it("goes on with the rewrites that arrived when a request fails, counting the failed one", async () => {
    const critic = new ScriptedChatModel((_call, _index, callNumber) => {
      // A 400 is not retried: the request fails for good.
      if (callNumber === 1) throw Object.assign(new Error("server down"), { status: 400 });
      return `<improved_response>rewrite ${callNumber}</improved_response>`;
    });
    const update = await apply(makeUpdateNode({ critic, prompts: DEFAULT_PROMPTS }), state(base), {
      width: 3,
      sampling: "parallel",
    });
    expect(update.pool?.map((c) => c.text)).toEqual(["rewrite 0", "rewrite 2"]);
    expect(update.history).toEqual([{ iteration: 1, untagged: 0, failures: 1, sampling: "parallel" }]);
  });
});

describe("finalize", () => {
  it("answers with the best candidate and appends it as an AI message", async () => {
    const pool = [scored("low", 1, 0), scored("high", 7, 2)];
    const update = await apply(makeFinalizeNode(), state({ pool, messages: [new HumanMessage("q")] }), {});
    expect(update.best).toEqual({ text: "high", score: 7, iteration: 2 });
    const messages = update.messages as BaseMessage[];
    expect(messages).toHaveLength(1);
    expect(AIMessage.isInstance(messages[0])).toBe(true);
    expect(messages[0].text).toBe("high");
    expect(messages[0].response_metadata).toMatchObject({ tpo_score: 7, tpo_iteration: 2 });
  });
});

describe("what the graph records around a node", () => {
  const timed = (node: string) => expect.objectContaining({ nodeMs: { [node]: expect.any(Number) } });

  it("records select's best so far in its iteration, and the pair in the next record when the critique starts", async () => {
    const pool = [scored("a", 5, 0), scored("b", 1, 0), scored("c", 9, 1)];
    const before = state({ pool, iteration: 1 });
    const selected = await apply(withNodeRecords("select", makeSelectNode()), before, { depth: 3 });
    expect(selected).toMatchObject({ chosen: pool[2].id, rejected: pool[1].id });
    expect(selected.history).toEqual([{ iteration: 1, bestSoFar: 9, usage: timed("select") }]);

    const critique: TpoNode = () => ({ critiqueText: "a critique" });
    const critiqued = await apply(withNodeRecords("critique", critique), {
      ...before,
      chosen: pool[2].id,
      rejected: pool[1].id,
    });
    expect(critiqued.history).toEqual([
      {
        iteration: 2,
        chosen: { id: pool[2].id, score: 9 },
        rejected: { id: pool[1].id, score: 1 },
        critique: "a critique",
        usage: timed("critique"),
      },
    ]);
  });

  it("records the scores of the newest candidates a reward node judged, and its usage", async () => {
    const rewardModel = new RecordingRewardModel((text) => Number(text.slice(1)));
    const pool = [scored("s7", 7, 0), scored("u3", null, 1), scored("u1", null, 1), scored("u2", null, 1)];
    const update = await apply(
      withNodeRecords("reward", makeRewardNode({ rewardModel })),
      state({ pool, iteration: 1 }),
    );
    expect(update.history).toEqual([
      {
        iteration: 1,
        scores: { min: 1, mean: 2, max: 3 },
        usage: {
          rewardRequests: 1,
          nodeMs: { reward: expect.any(Number) },
          byNode: { reward: { requests: 1, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 } },
        },
      },
    ]);
    expect(update.usage).toEqual(update.history?.[0].usage);
  });

  it("records the scores of this iteration's candidates that the node judged now, none when it judged none", async () => {
    const late = scored("late", null, 0);
    const before = scored("before", 4, 1);
    const fresh = [scored("u1", null, 1), scored("u2", null, 1)];
    const rescoreAll: TpoNode = () => ({
      pool: [{ ...late, score: 100 }, before, { ...fresh[0], score: 1 }, fresh[1]],
    });
    const current = state({ pool: [late, before, ...fresh], iteration: 1 });
    const judged = await apply(withNodeRecords("reward", rescoreAll), current);
    expect(judged.history).toEqual([
      { iteration: 1, scores: { min: 1, mean: 1, max: 1 }, usage: timed("reward") },
    ]);
    const none = await apply(
      withNodeRecords("reward", () => ({ pool: [] })),
      current,
    );
    expect(none.history).toEqual([{ iteration: 1, scores: null, usage: timed("reward") }]);
    const nothingToJudge = await apply(
      withNodeRecords("reward", () => ({})),
      current,
    );
    expect(nothingToJudge.history).toEqual([{ iteration: 1, usage: timed("reward") }]);
  });

  it("times a node from its start to its end", async () => {
    const slow: TpoNode = () =>
      new Promise((resolve) => setTimeout(() => resolve({ critiqueText: "c" }), 30));
    const start = performance.now();
    const out = await apply(withNodeRecords("critique", slow), state({}));
    const elapsed = performance.now() - start;
    const nodeMs = (out.usage as Partial<Usage>).nodeMs!.critique!;
    expect(nodeMs).toBeGreaterThanOrEqual(25);
    expect(nodeMs).toBeLessThanOrEqual(elapsed);
  });

  it("counts an update's new candidates beside the node's own counters, and moves the iteration on", async () => {
    const chosen = scored("CHOSEN", 9, 0);
    const rewrite = (text: string) => makeCandidate(text, 1, "update");
    const update: TpoNode = () => ({
      pool: [rewrite("CHOSEN"), rewrite("new"), rewrite("new"), rewrite("other")],
      usage: { modelRequests: 1, completionTokens: 30 },
      history: [{ iteration: 1, untagged: 2, sampling: "n" }],
    });
    const out = await apply(withNodeRecords("update", update), state({ pool: [chosen], chosen: chosen.id }));
    expect(out.iteration).toBe(1);
    const [record] = mergeHistory([], out.history ?? []);
    expect(record).toMatchObject({ iteration: 1, candidates: 2, untagged: 2, sampling: "n" });
    expect(record.usage).toMatchObject({
      modelRequests: 1,
      completionTokens: 30,
      nodeMs: { update: expect.any(Number) },
    });
    expect(record.elapsedMs).toBe(record.usage.nodeMs.update);
  });

  it("starts a fresh optimisation around generate: a new pool, history and usage, the query as a user turn", async () => {
    const generate: TpoNode = () => ({ pool: ["x", "y", "x"].map((t) => makeCandidate(t, 0, "sample")) });
    const earlier = state({
      query: "again?",
      messages: [new HumanMessage("first?"), new AIMessage("answer")],
      pool: [scored("old", 3, 0)],
      iteration: 2,
      chosen: "old",
      critiqueText: "old critique",
      history: mergeHistory([], [{ iteration: 0, candidates: 1 }]),
      usage: { ...emptyUsage(), modelRequests: 9 },
      best: { text: "old", score: 3, iteration: 0 },
    });
    const out = await withNodeRecords("generate", generate)(earlier, runtime());
    expect(out).toMatchObject({
      query: "",
      iteration: 0,
      chosen: null,
      rejected: null,
      critiqueText: null,
      best: null,
    });
    expect((out.pool as Overwrite<Candidate[]>).value.map((c) => c.text)).toEqual(["x", "y"]);
    const [record, ...more] = (out.history as Overwrite<HistoryRecord[]>).value;
    expect(more).toEqual([]);
    expect(record).toMatchObject({ iteration: 0, candidates: 2, usage: timed("generate") });
    expect((out.usage as Overwrite<Usage>).value).toEqual({ ...emptyUsage(), nodeMs: record.usage.nodeMs });
    expect((out.messages as BaseMessage[]).map((m) => [m.getType(), m.text])).toEqual([["human", "again?"]]);
  });

  it("puts a generate node's own message after the user turn, and makes no user turn of a blank query", async () => {
    const generate: TpoNode = () => ({
      pool: [makeCandidate("x", 0, "sample")],
      messages: new AIMessage("a note") as never,
    });
    const asked = await withNodeRecords("generate", generate)(state({ query: "why?" }), runtime());
    expect((asked.messages as BaseMessage[]).map((m) => [m.getType(), m.text])).toEqual([
      ["human", "why?"],
      ["ai", "a note"],
    ]);
    const blank = await withNodeRecords("generate", generate)(
      state({ query: "  ", messages: [new HumanMessage("hi")] }),
      runtime(),
    );
    expect(AIMessage.isInstance(blank.messages)).toBe(true);
  });
});
