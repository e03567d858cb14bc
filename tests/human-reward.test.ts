import { Command, MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { createSimWorld, createTpoGraph, type Candidate } from "../src/index.js";
import type { TpoEvent } from "../src/state/events.js";
import { makeCandidate, mergePool } from "../src/state/state.js";
import { parseHumanJudgement, type HumanRewardRequest } from "../src/nodes/human-judgement.js";
import { makeHumanRewardNode } from "../src/nodes/human-reward.js";
import { RecordingRewardModel, ScriptedChatModel } from "./helpers/fakes.js";

const query = "How do I take care of a wooden table?";

type Result = Awaited<ReturnType<ReturnType<typeof createTpoGraph>["invoke"]>> & {
  __interrupt__?: { value: HumanRewardRequest }[];
};

function humanGraph() {
  const graph = createTpoGraph({
    ...createSimWorld(),
    nodes: { reward: makeHumanRewardNode() },
    checkpointer: new MemorySaver(),
  });
  const config = { configurable: { thread_id: "human-1" }, context: { width: 3, depth: 2 } };
  return {
    graph,
    start: async () => (await graph.invoke({ query }, config)) as Result,
    answer: async (resume: unknown) => (await graph.invoke(new Command({ resume }), config)) as Result,
  };
}

function question(result: Result): HumanRewardRequest {
  expect(result.__interrupt__).toHaveLength(1);
  return result.__interrupt__![0].value;
}

describe("a human as the reward model", () => {
  it("asks for each iteration's candidates and resumes with scores, a pick, or scores by id", async () => {
    const { graph, start, answer } = humanGraph();

    const first = question(await start());
    expect(first).toMatchObject({
      type: "tpo.human_reward",
      iteration: 0,
      query,
      error: null,
      bestSoFar: null,
    });
    expect(first.candidates).toHaveLength(3);
    expect(first.candidates.every((c) => typeof c.id === "string" && c.text.length > 0)).toBe(true);

    // Iteration 0: one score per candidate, in order.
    const second = question(await answer([1, 5, 3]));
    expect(second.iteration).toBe(1);
    expect(second.bestSoFar).toMatchObject({ id: first.candidates[1].id, score: 5 });
    expect(second.candidates.map((c) => c.id)).not.toContain(first.candidates[0].id);

    // Bad answers ask again, with the reason, and the run keeps its place.
    const notNumbers = question(await answer(["good", "bad", "meh"]));
    expect(notNumbers).toMatchObject({ iteration: 1, candidates: second.candidates });
    expect(notNumbers.error).toMatch(/not a finite number/);
    const wrongCount = question(await answer([1]));
    expect(wrongCount.error).toMatch(/1 scores for 3 candidates/);
    const notAnAnswer = question(await answer("the second one"));
    expect(notAnAnswer.error).toMatch(/neither scores nor a pick/);
    const badPick = question(await answer({ best: "nope", worst: second.candidates[0].id }));
    expect(badPick.error).toMatch(/best pick "nope"/);

    // Iteration 1: a pick of the best and the worst; the third candidate keeps no score.
    const [best, worst, unpicked] = second.candidates.map((c) => c.id);
    const third = question(await answer({ best, worst }));
    expect(third.iteration).toBe(2);
    expect(third.error).toBeNull();
    expect(third.bestSoFar).toMatchObject({ id: best, score: 6 });
    // Only iteration 2's candidates are asked about: the unpicked one is never asked again.
    expect(third.candidates.map((c) => c.id)).not.toContain(unpicked);

    // Iteration 2: scores by id.
    const byId = Object.fromEntries(third.candidates.map((c, i) => [c.id, 2 + i]));
    const done = await answer(byId);
    expect(done.__interrupt__).toBeUndefined();

    const pool = new Map(done.pool.map((c) => [c.id, c]));
    expect(pool.get(best)!.score).toBe(6);
    expect(pool.get(worst)!.score).toBe(0);
    expect(pool.get(unpicked)).toMatchObject({ score: null, judgedWithoutScore: true });
    expect(done.best).toMatchObject({ text: pool.get(best)!.text, score: 6, iteration: 1 });
    expect(done.history.map((r) => r.bestSoFar)).toEqual([5, 6, 6]);
    // Never chosen nor rejected, in any iteration.
    expect(done.history.flatMap((r) => [r.chosen?.id, r.rejected?.id])).not.toContain(unpicked);
    expect(done.history[2].rejected?.id).toBe(worst);

    const state = await graph.getState({ configurable: { thread_id: "human-1" } });
    expect(state.next).toEqual([]);
  });

  it("streams the judged candidates as progress events, unscored ones with score null", async () => {
    const graph = createTpoGraph({
      ...createSimWorld(),
      nodes: { reward: makeHumanRewardNode() },
      checkpointer: new MemorySaver(),
    });
    const config = {
      configurable: { thread_id: "human-2" },
      context: { width: 3, depth: 0 },
      streamMode: "custom" as const,
    };
    const events: TpoEvent[] = [];
    for await (const chunk of await graph.stream({ query }, config)) events.push(chunk as TpoEvent);
    expect(events.map((e) => e.type)).toEqual(["tpo.iteration.started"]);
    const asked = (await graph.getState(config)).tasks[0].interrupts[0].value as HumanRewardRequest;
    const [best, worst, other] = asked.candidates.map((c) => c.id);
    for await (const chunk of await graph.stream(new Command({ resume: { best, worst } }), config)) {
      events.push(chunk as TpoEvent);
    }
    const scored = events.find((e) => e.type === "tpo.candidates.scored");
    expect(scored?.scores).toEqual(
      expect.arrayContaining([
        { id: best, score: 1 },
        { id: worst, score: 0 },
        { id: other, score: null },
      ]),
    );
    expect(events.at(-1)).toMatchObject({ type: "tpo.run.finished", best: { score: 1 } });
  });

  it("asks nothing when an iteration brings no new candidate", async () => {
    // Every rewrite repeats the one sample: the update adds nothing to judge.
    const policy = new ScriptedChatModel((call) =>
      call.prompt.includes("<suggestions>")
        ? "<improved_response>the only answer</improved_response>"
        : call.prompt.includes("<query>")
          ? "feedback"
          : "the only answer",
    );
    const graph = createTpoGraph({
      policy,
      rewardModel: new RecordingRewardModel(),
      nodes: { reward: makeHumanRewardNode() },
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "human-same" }, context: { width: 1, depth: 1 } };
    const first = question((await graph.invoke({ query }, config)) as Result);
    expect(first.candidates.map((c) => c.text)).toEqual(["the only answer"]);
    const done = (await graph.invoke(new Command({ resume: [4] }), config)) as Result;
    expect(done.__interrupt__).toBeUndefined();
    expect(done.best).toEqual({ text: "the only answer", score: 4, iteration: 0 });
    expect(policy.callsWith("<suggestions>")).toHaveLength(1);
  });
});

describe("a human-judged run's settings", () => {
  it("survive the interrupt: a resume without context keeps the width and depth the run started with", async () => {
    const graph = createTpoGraph({
      ...createSimWorld(),
      nodes: { reward: makeHumanRewardNode() },
      checkpointer: new MemorySaver(),
    });
    const thread = { configurable: { thread_id: "human-settings" } };
    const started = question(
      (await graph.invoke({ query }, { ...thread, context: { width: 3, depth: 1 } })) as Result,
    );
    expect(started.candidates).toHaveLength(3);
    // Resumed as Studio and the server API resume: a Command, and no context at all.
    const next = question((await graph.invoke(new Command({ resume: [1, 2, 3] }), thread)) as Result);
    expect(next.iteration).toBe(1);
    expect(next.candidates).toHaveLength(3);
    const done = (await graph.invoke(new Command({ resume: [3, 2, 1] }), thread)) as Result;
    expect(done.__interrupt__).toBeUndefined();
    expect(done.history.map((r) => r.iteration)).toEqual([0, 1]);
  });

  it("give way to settings the resume passes explicitly", async () => {
    const graph = createTpoGraph({
      ...createSimWorld(),
      nodes: { reward: makeHumanRewardNode() },
      checkpointer: new MemorySaver(),
    });
    const thread = { configurable: { thread_id: "human-settings-2" } };
    question((await graph.invoke({ query }, { ...thread, context: { width: 3, depth: 1 } })) as Result);
    const next = question(
      (await graph.invoke(new Command({ resume: [1, 2, 3] }), {
        ...thread,
        context: { width: 2, depth: 2 },
      })) as Result,
    );
    expect(next.candidates).toHaveLength(2);
    // And the new settings are the run's from then on.
    const third = question((await graph.invoke(new Command({ resume: [1, 2] }), thread)) as Result);
    expect(third.iteration).toBe(2);
    expect(third.candidates).toHaveLength(2);
  });
});

describe("parseHumanJudgement", () => {
  const pending = ["a", "b", "c"].map((t) => makeCandidate(t, 0, "sample"));
  const ids = pending.map((c) => c.id);

  it("accepts scores by position and by id", () => {
    expect(parseHumanJudgement([3, 1.5, -2], pending, pending)).toMatchObject({
      ok: true,
      judged: [{ score: 3 }, { score: 1.5 }, { score: -2 }],
    });
    const byId = parseHumanJudgement({ [ids[2]]: 1, [ids[0]]: 2, [ids[1]]: 3 }, pending, pending);
    expect(byId.ok && byId.judged.map((c) => c.score)).toEqual([2, 3, 1]);
  });

  it.each([
    [[1, 2], /2 scores for 3 candidates/],
    [[1, 2, Number.NaN], /Score 2 is NaN/],
    [[1, "2", 3], /Score 1 is "2"/],
    [{ [ids[0]]: 1, [ids[1]]: 2 }, /No score for candidate/],
    [{ [ids[0]]: 1, [ids[1]]: 2, [ids[2]]: 3, zzz: 4 }, /Unknown candidate id "zzz"/],
    [{ best: ids[0], worst: ids[0] }, /same candidate/],
    [{ best: ids[0] }, /worst pick undefined/],
    [null, /neither scores nor a pick/],
    [7, /neither scores nor a pick/],
  ])("refuses %j", (answer, error) => {
    const result = parseHumanJudgement(answer, pending, pending);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });

  it("places a pick against the scores the pool already has", () => {
    const pool: Candidate[] = [{ ...makeCandidate("old", 0, "sample"), score: 7 }, ...pending];
    const result = parseHumanJudgement({ best: ids[1], worst: ids[2] }, pending, pool);
    expect(result.ok && result.judged.map((c) => [c.score, c.judgedWithoutScore])).toEqual([
      [null, true],
      [8, undefined],
      [6, undefined],
    ]);
  });
});

describe("mergePool with judgements without a score", () => {
  it("keeps the first judgement: a score or a judgement without one", () => {
    const [a, b] = ["a", "b"].map((t) => makeCandidate(t, 0, "sample"));
    const judged = mergePool(
      [a, b],
      [
        { ...a, judgedWithoutScore: true },
        { ...b, score: 2 },
      ],
    );
    expect(judged.map((c) => [c.score, c.judgedWithoutScore])).toEqual([
      [null, true],
      [2, undefined],
    ]);
    const again = mergePool(judged, [
      { ...a, score: 9 },
      { ...b, judgedWithoutScore: true },
    ]);
    expect(again).toEqual(judged);
  });
});
