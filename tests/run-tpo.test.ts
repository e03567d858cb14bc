import { MemorySaver, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { describe, expect, it, vi } from "vitest";
import { TpoStepError } from "../src/errors.js";
import { createSimWorld, createTpoGraph, makeGenerateNode, type TpoStateType } from "../src/index.js";
import { runTpo, runTpoToEnd, type RunEvent } from "../src/run/index.js";
import { parseTpoContext } from "../src/settings/run-settings.js";

const context = parseTpoContext({ width: 3, depth: 2 });
const query = "How do I take care of a wooden table?";

function simGraph(nodes = {}, checkpointer?: MemorySaver) {
  const world = createSimWorld(3);
  return createTpoGraph({ ...world, critic: world.policy, nodes, checkpointer });
}

describe("runTpo: one way to run a query", () => {
  it("reports the run as events in order, ending with done and the final state", async () => {
    const events: RunEvent[] = [];
    const run = runTpo(simGraph(), { query }, { context });
    for await (const event of run) events.push(event);
    const { state } = await run.result;
    const types = events.map((e) => e.type);
    expect(types[types.length - 1]).toBe("tpo.run.done");
    expect(types.filter((t) => t === "tpo.iteration.started")).toHaveLength(3);
    expect(types.filter((t) => t === "tpo.iteration.recorded")).toHaveLength(3);
    const nodes = events.flatMap((e) => (e.type === "tpo.node.finished" ? [e.node] : []));
    expect(nodes.slice(0, 4)).toEqual(["generate", "reward", "select", "decide"]);
    expect(nodes).toContain("critique");
    expect(nodes[nodes.length - 1]).toBe("finalize");
    // The graph's own events come through: the run stopped at depth, and finished with the answer.
    const stopped = events.find((e) => e.type === "tpo.run.stopped");
    expect(stopped).toMatchObject({ reason: "depth", iteration: 2 });
    const finished = events.find((e) => e.type === "tpo.run.finished");
    expect(finished).toMatchObject({ best: state.best, iterations: 2 });
    const done = events[events.length - 1];
    expect(done.type === "tpo.run.done" && done.result.state).toBe(state);
  });

  it("hands node updates without LangGraph's Overwrite wrappers", async () => {
    const events: RunEvent[] = [];
    await runTpoToEnd(simGraph(), { query }, { context, onEvent: (e) => events.push(e) });
    const generate = events.find((e) => e.type === "tpo.node.finished" && e.node === "generate");
    expect(generate?.type === "tpo.node.finished" && Array.isArray(generate.update.history)).toBe(true);
  });

  it("reports each iteration once, when its best so far is known, with the state then", async () => {
    const recorded: [number, number | null, number][] = [];
    await runTpoToEnd(
      simGraph(),
      { query },
      {
        context,
        onEvent: (e) => {
          if (e.type === "tpo.iteration.recorded")
            recorded.push([e.record.iteration, e.record.bestSoFar, e.state.history.length]);
        },
      },
    );
    expect(recorded.map(([iteration]) => iteration)).toEqual([0, 1, 2]);
    for (const [iteration, bestSoFar, length] of recorded) {
      expect(bestSoFar).not.toBeNull();
      expect(length).toBe(iteration + 1);
    }
  });

  it("hands its configurable to the nodes, beside the thread id", async () => {
    const seen: unknown[] = [];
    const world = createSimWorld(3);
    const generate = makeGenerateNode(world);
    const nodes = {
      generate: (state: TpoStateType, runtime: LangGraphRunnableConfig) => {
        seen.push(runtime.configurable);
        return generate(state, runtime);
      },
    };
    const threaded = simGraph(nodes, new MemorySaver());
    await runTpoToEnd(threaded, { query }, { context, configurable: { draft: "mine" }, threadId: "t" });
    await runTpoToEnd(simGraph(nodes), { query }, { context, configurable: { draft: "again" } });
    expect(seen[0]).toMatchObject({ draft: "mine", thread_id: "t" });
    expect(seen[1]).toMatchObject({ draft: "again" });
  });

  it("settles its result when nobody iterates it", async () => {
    const { state } = await runTpo(simGraph(), { query }, { context }).result;
    expect(state.best?.text).toBeTruthy();
  });

  it("attaches no callbacks of its own: a run without tracing builds no callback runs", async () => {
    const graph = simGraph();
    const stream = vi.spyOn(graph, "stream");
    await runTpoToEnd(graph, { query }, { context });
    expect(stream).toHaveBeenCalledTimes(1);
    const config = stream.mock.calls[0][1] as { callbacks?: unknown[] };
    expect(config.callbacks ?? []).toHaveLength(0);
  });

  it.each(["generate", "reward", "critique", "gradient", "update"] as const)(
    "names the step that failed, from the result and from the iteration: %s",
    async (step) => {
      const graph = simGraph({
        [step]: async () => {
          throw new Error(`${step} broke`);
        },
      });
      const run = runTpo(graph, { query }, { context });
      const thrown = await (async () => {
        for await (const _event of run);
      })().catch((error: unknown) => error);
      const failure = await run.result.catch((error: unknown) => error);
      expect(thrown).toBe(failure);
      expect(failure).toBeInstanceOf(TpoStepError);
      expect((failure as TpoStepError).step).toBe(step);
      expect((failure as TpoStepError).message).toBe(`${step} broke`);
      expect(((failure as TpoStepError).cause as Error).message).toBe(`${step} broke`);
    },
  );

  it("resumes a thread from its checkpoint, reporting where it picked up, and restarts it when not resuming", async () => {
    const checkpointer = new MemorySaver();
    let calls = 0;
    const flaky = simGraph(
      {
        gradient: async () => {
          calls += 1;
          throw new Error("the critic is down");
        },
      },
      checkpointer,
    );
    const failure = await runTpoToEnd(flaky, { query }, { context, threadId: "q1" }).catch((e: unknown) => e);
    expect((failure as TpoStepError).step).toBe("gradient");
    expect(calls).toBe(1);

    const events: RunEvent[] = [];
    const graph = simGraph({}, checkpointer);
    const { state, resumedFrom } = await runTpoToEnd(
      graph,
      { query },
      {
        context,
        threadId: "q1",
        resume: true,
        onEvent: (e) => events.push(e),
      },
    );
    expect(resumedFrom?.next).toBe("gradient");
    expect(resumedFrom!.modelRequests).toBeGreaterThan(0);
    expect(events[0]).toEqual({ type: "tpo.run.resumed", from: resumedFrom });
    // Nothing before the failed step runs again.
    const nodes = events.flatMap((e) => (e.type === "tpo.node.finished" ? [e.node] : []));
    expect(nodes[0]).toBe("gradient");
    expect(state.best).not.toBeNull();

    const again = await runTpoToEnd(graph, { query }, { context, threadId: "q1", resume: true });
    expect(again.resumedFrom?.next).toBe("__end__");
    expect(again.state.best).toEqual(state.best);

    const fresh = await runTpoToEnd(graph, { query }, { context, threadId: "q1" });
    expect(fresh.resumedFrom).toBeNull();
  });

  it("stops when its signal aborts, naming no step it did not reach", async () => {
    const controller = new AbortController();
    const run = runTpo(simGraph(), { query }, { context, signal: controller.signal });
    for await (const event of run) {
      if (event.type === "tpo.iteration.recorded") {
        controller.abort(new Error("enough"));
        break;
      }
    }
    const failure = await run.result.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TpoStepError);
    expect(controller.signal.aborted).toBe(true);
  });
});
