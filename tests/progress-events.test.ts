import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it, vi } from "vitest";
import { createSimWorld, createTpoGraph, type TpoNode, type TpoStateType } from "../src/index.js";
import { makeRewardNode } from "../src/nodes/reward.js";
import { emit, isTpoEvent, type TpoEvent } from "../src/state/events.js";

const query = "How do I take care of a wooden table?";

async function streamEvents(graph: ReturnType<typeof createTpoGraph>, context: Record<string, unknown>) {
  const events: TpoEvent[] = [];
  let final: TpoStateType | undefined;
  for await (const [mode, chunk] of await graph.stream(
    { query },
    { streamMode: ["custom", "values"], context },
  )) {
    if (mode === "custom") {
      expect(isTpoEvent(chunk)).toBe(true);
      events.push(chunk as TpoEvent);
    } else {
      final = chunk as TpoStateType;
    }
  }
  return { events, final: final! };
}

describe("progress events on the custom stream", () => {
  it("reports each iteration's start, scores and best so far, then the run's end", async () => {
    const graph = createTpoGraph(createSimWorld(3));
    const { events, final } = await streamEvents(graph, { width: 3, depth: 2 });

    expect(events.map((e) => `${e.type}:${"iteration" in e ? e.iteration : ""}`)).toEqual([
      "tpo.iteration.started:0",
      "tpo.candidates.scored:0",
      "tpo.iteration.finished:0",
      "tpo.iteration.started:1",
      "tpo.candidates.scored:1",
      "tpo.iteration.finished:1",
      "tpo.iteration.started:2",
      "tpo.candidates.scored:2",
      "tpo.iteration.finished:2",
      "tpo.run.stopped:2",
      "tpo.run.finished:",
    ]);

    const scoreOf = new Map(final.pool.map((c) => [c.id, c.score]));
    for (const event of events) {
      if (event.type === "tpo.iteration.started") {
        expect(event).toMatchObject({ mode: "tpo", width: 3, depth: 2 });
        const record = final.history[event.iteration];
        expect(event.chosen).toBe(record.chosen?.id ?? null);
        expect(event.rejected).toBe(record.rejected?.id ?? null);
      } else if (event.type === "tpo.candidates.scored") {
        const born = final.pool.filter((c) => c.iteration === event.iteration);
        expect(event.scores.map((s) => s.id).sort()).toEqual(born.map((c) => c.id).sort());
        for (const { id, score } of event.scores) expect(score).toBe(scoreOf.get(id));
      } else if (event.type === "tpo.iteration.finished") {
        expect(event.bestSoFar).toBe(final.history[event.iteration].bestSoFar);
        expect(scoreOf.get(event.bestId)).toBe(event.bestSoFar);
      } else if (event.type === "tpo.run.stopped") {
        expect(event).toMatchObject({ reason: "depth", bestSoFar: final.best!.score });
      } else {
        expect(event.best).toEqual(final.best);
        expect(event.iterations).toBe(2);
      }
    }
  });

  it("reports best-of-N as one iteration", async () => {
    const { events } = await streamEvents(createTpoGraph(createSimWorld()), { width: 4, mode: "bon" });
    expect(events.map((e) => e.type)).toEqual([
      "tpo.iteration.started",
      "tpo.candidates.scored",
      "tpo.iteration.finished",
      "tpo.run.stopped",
      "tpo.run.finished",
    ]);
  });

  it("reports the scores of a replaced reward node", async () => {
    const byLength: TpoNode = (state) => ({
      pool: state.pool.filter((c) => c.score === null).map((c) => ({ ...c, score: c.text.length })),
    });
    const graph = createTpoGraph({ ...createSimWorld(), nodes: { reward: byLength } });
    const { events, final } = await streamEvents(graph, { width: 2, depth: 1 });
    const scored = events.filter((e) => e.type === "tpo.candidates.scored");
    expect(scored).toHaveLength(2);
    for (const event of scored) {
      for (const { id, score } of event.scores)
        expect(score).toBe(final.pool.find((c) => c.id === id)!.text.length);
    }
  });

  it("reports no scores for an iteration whose reward node judged nothing", async () => {
    const world = createSimWorld();
    const firstOnly: TpoNode = (state, runtime) =>
      state.iteration === 0 ? makeRewardNode(world)(state, runtime) : { pool: [] };
    const graph = createTpoGraph({ ...world, nodes: { reward: firstOnly } });
    const { events } = await streamEvents(graph, { width: 2, depth: 1 });
    expect(events.filter((e) => e.type === "tpo.candidates.scored").map((e) => e.iteration)).toEqual([0]);
  });

  it("announces decide's stop and finalize's answer only: a replaced node that writes either field announces nothing", async () => {
    const world = createSimWorld();
    const gradient: TpoNode = (state) => ({
      gradientText: "suggestions",
      stopReason: "mine" as never,
      best: { ...state.pool[0], text: "not the answer" } as never,
    });
    const graph = createTpoGraph({ ...world, nodes: { gradient } });
    const { events } = await streamEvents(graph, { width: 2, depth: 1 });
    expect(events.map((e) => e.type).slice(-2)).toEqual(["tpo.run.stopped", "tpo.run.finished"]);
    expect(events.filter((e) => e.type === "tpo.run.stopped" || e.type === "tpo.run.finished")).toHaveLength(
      2,
    );
  });

  it("lists only the candidates a replaced reward node judged", async () => {
    const firstOfEach: TpoNode = (state) => ({
      pool: state.pool
        .filter((c) => c.score === null)
        .map((c, i) => (i === 0 ? { ...c, score: c.text.length } : c)),
    });
    const graph = createTpoGraph({ ...createSimWorld(), nodes: { reward: firstOfEach } });
    const { events } = await streamEvents(graph, { width: 3, depth: 1 });
    const scored = events.filter((e) => e.type === "tpo.candidates.scored");
    expect(scored.map((e) => e.scores.length)).toEqual([1, 1]);
    for (const event of scored) expect(event.scores[0].score).toEqual(expect.any(Number));
  });

  it("names no rejected response in mode revision, nor one from an earlier turn when a thread's run starts", async () => {
    const { events } = await streamEvents(createTpoGraph(createSimWorld(3)), {
      width: 3,
      depth: 2,
      mode: "revision",
    });
    const started = events.filter((e) => e.type === "tpo.iteration.started");
    expect(started.map((e) => [e.chosen === null, e.rejected])).toEqual([
      [true, null],
      [false, null],
      [false, null],
    ]);

    const graph = createTpoGraph({ ...createSimWorld(3), checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "t" }, context: { width: 3, depth: 1 } };
    await graph.invoke({ query }, config);
    const again: TpoEvent[] = [];
    for await (const chunk of await graph.stream(
      { query: "And a metal one?" },
      { ...config, streamMode: "custom" },
    ))
      again.push(chunk as TpoEvent);
    expect(again[0]).toMatchObject({
      type: "tpo.iteration.started",
      iteration: 0,
      chosen: null,
      rejected: null,
    });
  });

  it("stays silent when the run does not stream custom events", async () => {
    const graph = createTpoGraph(createSimWorld());
    const context = { width: 2, depth: 1 };
    const printed = [
      vi.spyOn(process.stdout, "write"),
      vi.spyOn(process.stderr, "write"),
      ...(["log", "info", "warn", "error", "debug"] as const).map((method) => vi.spyOn(console, method)),
    ];
    try {
      const result = await graph.invoke({ query }, { context });
      expect(result.best?.score).toEqual(expect.any(Number));
      // Other stream modes carry no TPO event either.
      const chunks: unknown[] = [];
      for await (const chunk of await graph.stream({ query }, { streamMode: ["updates", "values"], context }))
        chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(0);
      expect(JSON.stringify(chunks)).not.toMatch(/"type":"tpo\./);
      // The event helper writes nothing without a writer.
      emit(undefined, { type: "tpo.run.finished", best: result.best!, iterations: 1 });
      emit({}, { type: "tpo.run.finished", best: result.best!, iterations: 1 });
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of printed) spy.mockRestore();
    }
  });
});
