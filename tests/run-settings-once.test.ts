import { afterEach, describe, expect, it, vi } from "vitest";
import { createTpoGraph, parseTpoContext, runTpoToEnd } from "../src/index.js";
import { TpoContextSchema } from "../src/settings/run-settings.js";
import { createSimWorld } from "../src/sim/index.js";

function simGraph() {
  const world = createSimWorld();
  return createTpoGraph({ policy: world.policy, rewardModel: world.rewardModel });
}

afterEach(() => vi.restoreAllMocks());

describe("a run's settings", () => {
  it("are parsed once per run, by the run layer or by the graph's door, not by each step", async () => {
    const graph = simGraph();
    const parses = vi.spyOn(TpoContextSchema, "safeParse");
    const context = parseTpoContext({ depth: 3, width: 2 });
    await runTpoToEnd(graph, { query: "What is TPO?" }, { context });
    expect(parses).toHaveBeenCalledTimes(1); // the parseTpoContext above

    parses.mockClear();
    const state = await graph.invoke({ query: "What is TPO?" }, { context: { depth: 3, width: 2 } });
    expect(state.history).toHaveLength(4);
    expect(parses).toHaveBeenCalledTimes(1);
  });

  it("are read anew by the next run when the caller changed the same object between runs", async () => {
    const graph = simGraph();
    const context = { depth: 1, width: 2 };
    const first = await graph.invoke({ query: "What is TPO?" }, { context });
    context.depth = 2;
    const second = await graph.invoke({ query: "What is TPO?" }, { context });
    expect(first.history).toHaveLength(2);
    expect(second.history).toHaveLength(3);
  });

  it("are frozen: what was checked is what runs", () => {
    const settings = parseTpoContext({ depth: 1 });
    expect(Object.isFrozen(settings)).toBe(true);
    expect(parseTpoContext(settings)).toBe(settings);
    expect(parseTpoContext(undefined)).toBe(parseTpoContext(null));
  });
});
