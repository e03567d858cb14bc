import { describe, expect, it, vi } from "vitest";
import { executeQuery, StepFailedError } from "../src/cli/execute.js";
import { createSimWorld, createTpoGraph } from "../src/index.js";
import { parseTpoContext } from "../src/settings/run-settings.js";

const context = parseTpoContext({ width: 3, depth: 2 });
const query = "How do I take care of a wooden table?";

describe("executeQuery", () => {
  it("attaches no callbacks: a run without tracing builds no callback runs for the CLI", async () => {
    const world = createSimWorld(3);
    const graph = createTpoGraph({ ...world, critic: world.policy });
    const stream = vi.spyOn(graph, "stream");
    const iterations: number[] = [];
    const { state } = await executeQuery(
      graph,
      { query },
      { context, onIteration: (record) => iterations.push(record.iteration) },
    );
    expect(state.best).not.toBeNull();
    expect(iterations).toEqual([0, 1, 2]);
    expect(stream).toHaveBeenCalledTimes(1);
    const config = stream.mock.calls[0][1] as { callbacks?: unknown[] };
    expect(config.callbacks ?? []).toHaveLength(0);
  });

  it.each(["generate", "reward", "critique", "gradient", "update"] as const)(
    "names the step that failed: %s",
    async (step) => {
      const world = createSimWorld(3);
      const graph = createTpoGraph({
        ...world,
        critic: world.policy,
        nodes: {
          [step]: async () => {
            throw new Error(`${step} broke`);
          },
        },
      });
      const failure = await executeQuery(graph, { query }, { context }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StepFailedError);
      expect((failure as StepFailedError).step).toBe(step);
      expect((failure as StepFailedError).message).toBe(`${step} broke`);
    },
  );
});
