import { HumanMessage, AIMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterEach, describe, expect, it } from "vitest";
import {
  RewardModelError,
  TpoConfigError,
  TpoInputError,
  TpoSettingsError,
  compileTpoGraph,
  createSimWorld,
  createTpoGraph,
  createTpoGraphBuilder,
  modelsFromEnv,
  TpoChatOpenAI,
  type TpoNode,
} from "../src/index.js";
import { TPO_RECURSION_LIMIT } from "../src/graph/builder.js";
import { SimChatModel, SimRewardModel } from "../src/sim/index.js";
import { studioModels } from "../src/studio/tpo-graph.js";
import { RecordingRewardModel, ScriptedChatModel, uniqueResponder } from "./helpers/fakes.js";
import { section } from "./helpers/sections.js";

function uniqueGraph(rewardModel = new RecordingRewardModel()) {
  const policy = new ScriptedChatModel(uniqueResponder());
  return { policy, rewardModel, graph: createTpoGraph({ policy, rewardModel }) };
}

describe("the TPO graph", () => {
  it("holds N·(D+1) candidates when all are distinct, one history record per iteration", async () => {
    const { graph, rewardModel } = uniqueGraph();
    const out = await graph.invoke({ query: "q" }, { context: { width: 4, depth: 3 } });
    expect(out.pool).toHaveLength(16);
    expect(out.history.map((r) => r.iteration)).toEqual([0, 1, 2, 3]);
    expect(out.history.map((r) => r.candidates)).toEqual([4, 4, 4, 4]);
    expect(rewardModel.batches.map((b) => b.length)).toEqual([4, 4, 4, 4]);
    expect(out.pool.filter((c) => c.origin === "update")).toHaveLength(12);
    expect(out.iteration).toBe(3);
  });

  it("holds, counts and scores a text once when a batch repeats it or repeats an earlier one", async () => {
    const tagged = (text: string) => `<improved_response>${text}</improved_response>`;
    const outputs = [
      ["dup", "dup", " dup\n", "solo"], // generate: one text three times, once with spaces
      ["new A", "new A", "dup", "new B"].map(tagged), // update 1: a repeat, and a text of iteration 0
      ["new A", "new C", "new C", "solo"].map(tagged), // update 2: repeats within and across iterations
    ];
    // Generate and the updates ask for N samples (n = 4); the critique and the gradient for one.
    const sampling: number[] = [];
    const policy = new ScriptedChatModel((call, index, callNumber) => {
      if ((call.options.n ?? 1) === 1) return "feedback";
      if (!sampling.includes(callNumber)) sampling.push(callNumber);
      return outputs[sampling.indexOf(callNumber)][index];
    });
    const rewardModel = new RecordingRewardModel((text) => text.length);
    const graph = createTpoGraph({ policy, rewardModel });
    const out = await graph.invoke({ query: "q" }, { context: { width: 4, depth: 2 } });

    expect(out.pool.map((c) => c.text)).toEqual(["dup", "solo", "new A", "new B", "new C"]);
    expect(new Set(out.pool.map((c) => c.id)).size).toBe(5);
    expect(out.pool.map((c) => c.iteration)).toEqual([0, 0, 1, 1, 2]);
    expect(out.history.map((r) => r.candidates)).toEqual([2, 2, 1]);
    expect(out.history.map((r) => r.failures)).toEqual([0, 0, 0]);
    expect(rewardModel.batches.map((b) => b.map((item) => item.response))).toEqual([
      ["dup", "solo"],
      ["new A", "new B"],
      ["new C"],
    ]);
  });

  it("chooses, at every iteration, the best and the worst of the whole pool so far", async () => {
    // Sample k of iteration i is "s{i}.{k}"; its score comes from this table.
    const scores = [
      [5, 1, 3], // iteration 0: best s0.0, worst s0.1
      [4, 2, 6], // iteration 1: a new best s1.2; the worst, s0.1, is older than the newest samples
      [0.5, 6, 3], // iteration 2: a new worst; s2.1 ties the best s1.2, which came first and stays chosen
      [2, 5.9, 0.2], // iteration 3: nothing better, so the answer is from iteration 1
    ];
    const sampling: number[] = [];
    const feedback: string[] = [];
    const policy = new ScriptedChatModel((call, index, callNumber) => {
      if ((call.options.n ?? 1) === 1) {
        feedback.push(call.prompt);
        return "feedback";
      }
      if (!sampling.includes(callNumber)) sampling.push(callNumber);
      const text = `s${sampling.indexOf(callNumber)}.${index}`;
      return sampling.length === 1 ? text : `<improved_response>${text}</improved_response>`;
    });
    const rewardModel = new RecordingRewardModel((text) => {
      const [iteration, k] = text.slice(1).split(".").map(Number);
      return scores[iteration][k];
    });
    const graph = createTpoGraph({ policy, rewardModel });
    const out = await graph.invoke({ query: "q" }, { context: { width: 3, depth: 3 } });

    expect(out.pool).toHaveLength(12);
    const textOf = (id: string | undefined) => out.pool.find((c) => c.id === id)?.text;
    const pairs = out.history.slice(1).map((r) => [textOf(r.chosen?.id), textOf(r.rejected?.id)]);
    expect(pairs).toEqual([
      ["s0.0", "s0.1"],
      ["s1.2", "s0.1"],
      ["s1.2", "s2.0"],
    ]);
    expect(out.history.slice(1).map((r) => [r.chosen?.score, r.rejected?.score])).toEqual([
      [5, 1],
      [6, 1],
      [6, 0.5],
    ]);
    expect(out.history.map((r) => r.bestSoFar)).toEqual([5, 6, 6, 6]);
    // The critique of iteration k (every other single-sample request) shows that pair and no other candidate.
    const critiques = feedback.filter((_, i) => i % 2 === 0);
    expect(critiques).toHaveLength(3);
    critiques.forEach((prompt, k) => {
      expect([section(prompt, "chosen_response"), section(prompt, "rejected_response")]).toEqual(pairs[k]);
      const shown = out.pool.map((c) => c.text).filter((text) => prompt.includes(text));
      expect(shown.sort()).toEqual([...pairs[k]].sort());
    });
    expect(out.best).toEqual({ text: "s1.2", score: 6, iteration: 1 });
  });

  it("returns the best candidate of the whole pool and appends it to the messages", async () => {
    // Later candidates are worse: the answer must come from the first sampling.
    const rewardModel = new RecordingRewardModel((text) => (text.startsWith("sample") ? 10 : 1));
    const { graph } = uniqueGraph(rewardModel);
    const out = await graph.invoke({ query: "q" }, { context: { width: 2, depth: 2 } });
    expect(out.best?.iteration).toBe(0);
    expect(out.best?.score).toBe(10);
    expect(out.messages).toHaveLength(2);
    expect(HumanMessage.isInstance(out.messages[0])).toBe(true);
    expect(AIMessage.isInstance(out.messages[1])).toBe(true);
    expect(out.messages[1].content).toBe(out.best?.text);
  });

  it("keeps a conversation given as messages and answers its last user turn", async () => {
    const { graph } = uniqueGraph();
    const messages = [new HumanMessage("hi"), new AIMessage("hello"), new HumanMessage("tell me more")];
    const out = await graph.invoke({ messages }, { context: { width: 2, depth: 1 } });
    expect(out.messages).toHaveLength(4);
    expect(out.messages.map((m) => m.text)).toEqual(["hi", "hello", "tell me more", out.best?.text]);
  });

  it("ends bon after one reward call, with no critique", async () => {
    const { graph, policy, rewardModel } = uniqueGraph();
    const out = await graph.invoke({ query: "q" }, { context: { width: 3, depth: 4, mode: "bon" } });
    expect(rewardModel.batches).toHaveLength(1);
    expect(policy.calls).toHaveLength(1);
    expect(out.history).toHaveLength(1);
    expect(out.pool).toHaveLength(3);
  });

  it("is best-of-N at depth 0", async () => {
    const { graph, policy } = uniqueGraph();
    const out = await graph.invoke({ query: "q" }, { context: { width: 5, depth: 0 } });
    expect(policy.calls).toHaveLength(1);
    expect(out.pool).toHaveLength(5);
    expect(out.best?.score).toBe(Math.max(...out.pool.map((c) => c.score ?? -Infinity)));
  });

  it("records iteration 0's failed samples and how they were sampled", async () => {
    const respond = uniqueResponder();
    // Parallel sampling: one request per sample; the second one comes back empty.
    const policy = new ScriptedChatModel((call, index, callNumber) =>
      callNumber === 1 ? "" : respond(call, index, callNumber),
    );
    const graph = createTpoGraph({ policy, rewardModel: new RecordingRewardModel() });
    const out = await graph.invoke({ query: "q" }, { context: { width: 3, depth: 0, sampling: "parallel" } });
    expect(out.history).toHaveLength(1);
    expect(out.history[0]).toMatchObject({ iteration: 0, candidates: 2, failures: 1, sampling: "parallel" });
  });

  it("tags each model call with its iteration and its stage", async () => {
    const { graph } = uniqueGraph();
    const tags: string[][] = [];
    const recordTags = {
      handleChatModelStart: (...args: unknown[]) => {
        tags.push(((args[5] as string[] | undefined) ?? []).filter((tag) => tag.startsWith("tpo:")));
      },
    };
    await graph.invoke({ query: "q" }, { context: { width: 2, depth: 1 }, callbacks: [recordTags] });
    expect(tags).toEqual([
      ["tpo:iteration:0", "tpo:generate"],
      ["tpo:iteration:1", "tpo:critique"],
      ["tpo:iteration:1", "tpo:gradient"],
      ["tpo:iteration:1", "tpo:update"],
    ]);
  });

  it("works at width 1: the first critique judges the chosen response alone", async () => {
    const { graph, policy } = uniqueGraph(
      new RecordingRewardModel((text) => (text.startsWith("update") ? 2 : 1)),
    );
    const out = await graph.invoke({ query: "q" }, { context: { width: 1, depth: 2 } });
    expect(out.pool).toHaveLength(3);
    const critiques = policy
      .callsWith("<query>")
      .filter((c) => !c.prompt.includes("<critique>") && !c.prompt.includes("<suggestions>"));
    expect(critiques).toHaveLength(2);
    expect(critiques[0].prompt).not.toContain("<rejected_response>");
    expect(critiques[1].prompt).toContain("<rejected_response>");
  });

  it("runs depth 20 to the end without the caller raising the recursion limit", async () => {
    const { graph } = uniqueGraph();
    const out = await graph.invoke({ query: "q" }, { context: { width: 1, depth: 20 } });
    expect(out.iteration).toBe(20);
    expect(out.history).toHaveLength(21);
  });

  it("compiles a builder the one way, with a checkpointer: settings checked, depth 20 within the limit", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const builder = createTpoGraphBuilder({ policy, rewardModel: new RecordingRewardModel() });
    const graph = compileTpoGraph(builder, { checkpointer: new MemorySaver() });
    const thread = { configurable: { thread_id: "deep" } };
    await expect(graph.invoke({ query: "q" }, { ...thread, context: { width: 0 } })).rejects.toThrow(
      TpoSettingsError,
    );
    expect(policy.calls).toHaveLength(0);
    const out = await graph.invoke({ query: "q" }, { ...thread, context: { width: 1, depth: 20 } });
    expect(out.history).toHaveLength(21);
    expect(graph.name).toBe("tpo");
  });

  it("ends at the depth, and after the first sampling in mode bon, even with a decide node that never stops", async () => {
    const decide: TpoNode = () => ({});
    const graph = createTpoGraph({
      policy: new ScriptedChatModel(uniqueResponder()),
      rewardModel: new RecordingRewardModel(),
      nodes: { decide },
    });
    const deep = await graph.invoke({ query: "q" }, { context: { width: 2, depth: 2 } });
    expect(deep.history.map((r) => r.iteration)).toEqual([0, 1, 2]);
    expect(deep.stopReason).toBeNull();
    const bon = await graph.invoke({ query: "q" }, { context: { width: 2, depth: 2, mode: "bon" } });
    expect(bon.history.map((r) => r.iteration)).toEqual([0]);
    expect(bon.best).not.toBeNull();
  });

  it("runs a replaced node instead of the built-in one", async () => {
    const gradient: TpoNode = () => ({ gradientText: "REPLACED GRADIENT" });
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({ policy, rewardModel: new RecordingRewardModel(), nodes: { gradient } });
    await graph.invoke({ query: "q" }, { context: { width: 2, depth: 1 } });
    const updates = policy.callsWith("<suggestions>");
    expect(updates).toHaveLength(1);
    expect(updates[0].prompt).toContain("REPLACED GRADIENT");
    const gradientRequests = policy.calls.filter(
      (c) => c.prompt.includes("<critique>") && !c.prompt.includes("<suggestions>"),
    );
    expect(gradientRequests).toHaveLength(0);
  });

  it("records a replaced critique's and gradient's text, time and usage as it does the built-in ones'", async () => {
    // Replacements return their own output only: no history patch, no timing.
    const critique: TpoNode = () => ({
      critiqueText: "C",
      usage: { modelRequests: 1, promptTokens: 1000, completionTokens: 2000 },
    });
    const gradient: TpoNode = () => ({ gradientText: "X" });
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({
      policy,
      rewardModel: new RecordingRewardModel(),
      nodes: { critique, gradient },
    });
    const out = await graph.invoke({ query: "q" }, { context: { width: 2, depth: 2 } });

    expect(out.history.map((r) => [r.critique, r.gradient])).toEqual([
      [null, null],
      ["C", "X"],
      ["C", "X"],
    ]);
    for (const record of out.history.slice(1)) {
      expect(Object.keys(record.usage.nodeMs).sort()).toEqual([
        "critique",
        "gradient",
        "reward",
        "select",
        "update",
      ]);
      expect(record.elapsedMs).toBeCloseTo(
        Object.values(record.usage.nodeMs).reduce((sum, ms) => sum + ms, 0),
        6,
      );
      // The critique's usage, and the update's request to the policy.
      expect(record.usage).toMatchObject({ modelRequests: 2, promptTokens: 1000, completionTokens: 2000 });
      expect(record.chosen?.id).toEqual(expect.any(String));
      expect(record.candidates).toBe(2);
    }
    expect(out.usage).toMatchObject({ modelRequests: 5, promptTokens: 2000, completionTokens: 4000 });
    expect(out.usage.nodeMs).toMatchObject({ critique: expect.any(Number), gradient: expect.any(Number) });
    expect(policy.callsWith("<suggestions>\nX")).toHaveLength(2);
  });

  it("sends prompt overrides to the model, each in its mode", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({
      policy,
      // Distinct scores, so that mode tpo has a rejected response.
      rewardModel: new RecordingRewardModel((text) => Number(text.at(-1))),
      prompts: {
        gradient: { system: "CUSTOM GRADIENT SYSTEM for {query}" },
        revisionGradient: { system: "CUSTOM REVISION GRADIENT SYSTEM for {query}" },
      },
    });
    await graph.invoke({ query: "my question" }, { context: { width: 2, depth: 1 } });
    expect(policy.callsWith("CUSTOM GRADIENT SYSTEM for my question")).toHaveLength(1);
    await graph.invoke({ query: "my question" }, { context: { width: 2, depth: 1, mode: "revision" } });
    expect(policy.callsWith("CUSTOM REVISION GRADIENT SYSTEM for my question")).toHaveLength(1);
    expect(policy.callsWith("CUSTOM GRADIENT SYSTEM for my question")).toHaveLength(1);
  });

  it("uses a separate critic for critique, gradient and update", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const critic = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({ policy, critic, rewardModel: new RecordingRewardModel() });
    await graph.invoke({ query: "q" }, { context: { width: 2, depth: 2 } });
    expect(policy.calls).toHaveLength(1);
    expect(critic.calls).toHaveLength(6);
  });

  it("fails with a clear error when the reward model returns the wrong number of scores", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const rewardModel = { name: "broken-rm", score: async () => [1] };
    const graph = createTpoGraph({ policy, rewardModel });
    const run = graph.invoke({ query: "q" }, { context: { width: 3, depth: 1 } });
    await expect(run).rejects.toThrow(RewardModelError);
    await expect(graph.invoke({ query: "q" }, { context: { width: 3 } })).rejects.toThrow(
      /"broken-rm" returned 1 scores for 3 responses/,
    );
  });

  it("fails with a clear error when the reward model returns a non-finite score", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({
      policy,
      rewardModel: { name: "nan-rm", score: async (items) => items.map(() => NaN) },
    });
    await expect(graph.invoke({ query: "q" }, { context: { width: 2 } })).rejects.toThrow(
      /"nan-rm" returned a non-finite score/,
    );
  });

  it.each([
    [{ width: 0 }, "width"],
    [{ depth: -1 }, "depth"],
    [{ mode: "sideways" }, "mode"],
    [{ temperature: "hot" }, "temperature"],
    [{ topP: 1.5 }, "topP"],
  ])("rejects the bad setting %o before any model call, naming %s", async (context, field) => {
    const { graph, policy } = uniqueGraph();
    const run = graph.invoke({ query: "q" }, { context: context as never });
    await expect(run).rejects.toThrow(TpoSettingsError);
    await expect(graph.invoke({ query: "q" }, { context: context as never })).rejects.toThrow(`"${field}"`);
    expect(policy.calls).toHaveLength(0);
  });

  it("rejects an empty query and a conversation that does not end with a user turn", async () => {
    const { graph, policy } = uniqueGraph();
    await expect(graph.invoke({ query: "  " })).rejects.toThrow(TpoInputError);
    await expect(graph.invoke({ messages: [new HumanMessage("a"), new AIMessage("b")] })).rejects.toThrow(
      /must end with a user turn/,
    );
    expect(policy.calls).toHaveLength(0);
  });

  it("asks a thread again with a new query after an answer", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraphBuilder({ policy, rewardModel: new RecordingRewardModel() }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "t2" }, context: { width: 2, depth: 0 } };
    await graph.invoke({ query: "first" }, config);
    const second = await graph.invoke({ query: "second" }, config);
    expect(second.messages.map((m) => m.getType())).toEqual(["human", "ai", "human", "ai"]);
    expect(second.messages[2].text).toBe("second");
    expect(policy.calls[1].messages.map((m) => m.text)).toEqual(["first", second.messages[1].text, "second"]);
  });

  it("starts a fresh pool when a thread is run again with a new user turn", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraphBuilder({ policy, rewardModel: new RecordingRewardModel() }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = {
      configurable: { thread_id: "t1" },
      context: { width: 2, depth: 1 },
      recursionLimit: TPO_RECURSION_LIMIT,
    };
    await graph.invoke({ messages: [new HumanMessage("first")] }, config);
    const second = await graph.invoke({ messages: [new HumanMessage("second")] }, config);
    expect(second.pool).toHaveLength(4);
    expect(second.history.map((r) => r.iteration)).toEqual([0, 1]);
    expect(second.messages.map((m) => m.getType())).toEqual(["human", "ai", "human", "ai"]);
  });

  it("reaches the simulated world through the same public API", async () => {
    const graph = createTpoGraph(createSimWorld(1));
    const out = await graph.invoke({ query: "What is kevlar made out of?" }, { context: { seed: 3 } });
    expect(out.history).toHaveLength(3);
    expect(out.best?.score).toBeGreaterThanOrEqual(out.history[0].scores!.max);
  });
});

describe("models from the environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ["TPO_BACKEND", "TPO_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("fails with one message listing the three ways to configure a model", () => {
    for (const key of ["TPO_BACKEND", "TPO_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"])
      delete process.env[key];
    expect(() => modelsFromEnv()).toThrow(TpoConfigError);
    expect(() => modelsFromEnv()).toThrow(/TPO_BACKEND=sim.*OPENAI_API_KEY.*OPENAI_BASE_URL/s);
  });

  it("runs in the simulated world with TPO_BACKEND=sim", async () => {
    process.env.TPO_BACKEND = "sim";
    const context = { width: 2, depth: 1, seed: 4 };
    const out = await createTpoGraph(modelsFromEnv()).invoke({ query: "q" }, { context });
    const simulated = await createTpoGraph(createSimWorld()).invoke({ query: "q" }, { context });
    expect(out.pool).toEqual(simulated.pool);
    expect(out.best).toEqual(simulated.best);
  });
});

describe("TPO_BACKEND=sim next to a server setting", () => {
  const servers = {
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    TPO_CRITIC_BASE_URL: "http://127.0.0.1:9/v1",
    TPO_REWARD_URL: "http://127.0.0.1:9",
    TPO_MODEL: "llama",
  };

  it.each(Object.entries(servers))(
    "is refused with %s, in one line naming the variable to unset",
    (name, value) => {
      const env = { TPO_BACKEND: "sim", [name]: value };
      expect(() => modelsFromEnv(env)).toThrow(TpoConfigError);
      expect(() => modelsFromEnv(env)).toThrow(new RegExp(`${name}.*unset TPO_BACKEND.*or unset ${name}`));
      expect(() => modelsFromEnv(env)).not.toThrow(/\n/);
      expect(() => studioModels(env)).toThrow(TpoConfigError);
    },
  );

  it("names every server setting that was given", () => {
    expect(() => modelsFromEnv({ TPO_BACKEND: "sim", ...servers })).toThrow(
      /OPENAI_BASE_URL, TPO_CRITIC_BASE_URL, TPO_REWARD_URL and TPO_MODEL/,
    );
  });

  it("is not refused for an API key alone, nor with TPO_BACKEND=openai", () => {
    expect(modelsFromEnv({ TPO_BACKEND: "sim", OPENAI_API_KEY: "sk-x" }).policy).toBeInstanceOf(SimChatModel);
    expect(
      modelsFromEnv({ TPO_BACKEND: "openai", OPENAI_BASE_URL: servers.OPENAI_BASE_URL, TPO_MODEL: "m" })
        .policy,
    ).toBeInstanceOf(TpoChatOpenAI);
  });
});

describe("the graphs of langgraph.json", () => {
  it("use the simulated world without model settings, and the environment's models with them", () => {
    expect(studioModels({}).policy).toBeInstanceOf(SimChatModel);
    expect(studioModels({ TPO_MODEL: "m", OPENAI_BASE_URL: "http://127.0.0.1:1/v1" }).policy).toBeInstanceOf(
      TpoChatOpenAI,
    );
    expect(studioModels({ TPO_BACKEND: "sim" }).rewardModel).toBeInstanceOf(SimRewardModel);
  });
});

describe("seeds", () => {
  it("give every iteration new seeds, so an update that repeats its prompt still draws new samples", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({ policy, rewardModel: new RecordingRewardModel() });
    await graph.invoke({ query: "q" }, { context: { width: 3, depth: 2, seed: 10 } });
    const sampled = policy.calls.filter((c) => c.options.n === 3).map((c) => c.options.seed);
    expect(sampled).toEqual([10, 13, 16]);
  });
});
