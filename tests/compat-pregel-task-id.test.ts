import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { failedTaskIdOf } from "../src/compat/pregel-task-id.js";

/**
 * What src/compat/pregel-task-id.ts relies on in LangGraph: an error thrown by a node reaches the
 * caller carrying the id of the node's task, as the "tasks" stream announced it. A failure here
 * means that LangGraph changed this internal.
 */
const State = Annotation.Root({ n: Annotation<number> });

class NodeFailure extends Error {}

describe("LangGraph's pregelTaskId, as failedTaskIdOf reads it", () => {
  it("names the task of the node that threw, among tasks running in parallel", async () => {
    const graph = new StateGraph(State)
      .addNode("fine", () => ({ n: 1 }))
      .addNode("broken", async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new NodeFailure("broken");
      })
      .addEdge(START, "fine")
      .addEdge(START, "broken")
      .addEdge("fine", END)
      .addEdge("broken", END)
      .compile();
    const started = new Map<string, string>();
    let error: unknown;
    try {
      for await (const chunk of await graph.stream({ n: 0 }, { streamMode: "tasks" })) {
        const task = chunk as { id: string; name: string; result?: unknown; error?: unknown };
        if (!("result" in task) && !("error" in task)) started.set(task.id, task.name);
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NodeFailure);
    const taskId = failedTaskIdOf(error);
    expect(taskId).toBeDefined();
    expect(started.get(taskId!)).toBe("broken");
  });

  it("is undefined for an error that did not come from a node", () => {
    expect(failedTaskIdOf(new Error("elsewhere"))).toBeUndefined();
    expect(failedTaskIdOf(null)).toBeUndefined();
  });
});
