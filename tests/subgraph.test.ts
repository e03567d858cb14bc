import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { TpoSettingsError } from "../src/errors.js";
import { createTpoGraph, TPO_RECURSION_LIMIT } from "../src/graph/builder.js";
import { tpoMetadataOf } from "../src/adapters/answer.js";
import { createTpoNode } from "../src/adapters/subgraph.js";
import { createSimWorld } from "../src/sim/index.js";

const QUESTION = "How do I take care of a wooden table?";

function parentWith(node: ReturnType<typeof createTpoNode>) {
  return new StateGraph(MessagesAnnotation).addNode("tpo", node).addEdge(START, "tpo").addEdge("tpo", END);
}

describe("TPO inside a parent graph", () => {
  it("createTpoNode adds exactly one AIMessage, the best response", async () => {
    const parent = parentWith(
      createTpoNode({ ...createSimWorld(), settings: { width: 3, depth: 2, seed: 3 } }),
    ).compile();
    const question = new HumanMessage(QUESTION);
    const result = await parent.invoke({ messages: [question] });
    expect(result.messages).toHaveLength(2);
    expect(result.messages[0].id).toBe(question.id);
    const answer = result.messages[1];
    expect(AIMessage.isInstance(answer)).toBe(true);
    const direct = await createTpoGraph(createSimWorld()).invoke(
      { messages: [new HumanMessage(QUESTION)] },
      { context: { width: 3, depth: 2, seed: 3 } },
    );
    expect(answer.content).toBe(direct.best?.text);
    const metadata = tpoMetadataOf(answer)!;
    expect(metadata.tpo_score).toBe(direct.best?.score);
    expect(metadata.tpo_history).toHaveLength(3);
    expect(metadata.tpo_usage.modelRequests).toBe(direct.usage.modelRequests);
    expect((answer as AIMessage).usage_metadata?.input_tokens).toBe(direct.usage.promptTokens);
  });

  it("takes TPO settings from the parent run's context, ignoring the parent's own fields", async () => {
    const parent = parentWith(
      createTpoNode({ ...createSimWorld(), settings: { width: 2, depth: 3 } }),
    ).compile();
    const stream = await parent.stream(
      { messages: [new HumanMessage(QUESTION)] },
      { context: { mode: "bon", userId: "u-1" } as never, subgraphs: true, streamMode: "updates" },
    );
    const nodes: string[] = [];
    for await (const [, update] of stream) nodes.push(...Object.keys(update));
    expect(nodes).toEqual(["generate", "reward", "select", "decide", "finalize", "tpo"]);
  });

  it("streams the TPO nodes under the parent's namespace with subgraphs: true", async () => {
    const parent = parentWith(createTpoNode(createSimWorld())).compile();
    const seen: { namespace: string[]; node: string }[] = [];
    const stream = await parent.stream(
      { messages: [new HumanMessage(QUESTION)] },
      { context: { width: 2, depth: 1 }, subgraphs: true, streamMode: "updates" },
    );
    for await (const [namespace, update] of stream) {
      for (const node of Object.keys(update)) seen.push({ namespace, node });
    }
    const inner = seen.filter((s) => s.namespace.length === 1);
    expect(inner.map((s) => s.node)).toEqual([
      "generate",
      "reward",
      "select",
      "decide",
      "critique",
      "gradient",
      "update",
      "reward",
      "select",
      "decide",
      "finalize",
    ]);
    for (const s of inner) expect(s.namespace[0]).toMatch(/^tpo:/);
    expect(seen.at(-1)).toEqual({ namespace: [], node: "tpo" });
  });

  it("runs depths beyond the parent's recursion limit, and keeps a thread with a checkpointer", async () => {
    const parent = parentWith(
      createTpoNode({ ...createSimWorld(), settings: { width: 2, depth: 6 } }),
    ).compile({
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "t1" } };
    const first = await parent.invoke({ messages: [new HumanMessage(QUESTION)] }, config);
    expect(first.messages).toHaveLength(2);
    expect(tpoMetadataOf(first.messages[1])?.tpo_history).toHaveLength(7);
    const second = await parent.invoke(
      { messages: [new HumanMessage("And how do I remove a water stain?")] },
      config,
    );
    expect(second.messages.map((m) => m.getType())).toEqual(["human", "ai", "human", "ai"]);
  });

  it("fails when the node is built with a bad setting", () => {
    expect(() => createTpoNode({ ...createSimWorld(), settings: { depth: -1 } })).toThrow(TpoSettingsError);
  });

  it("adding the compiled graph directly also adds one AIMessage, given the recursion limit", async () => {
    // MessagesAnnotation's reducer merges by message id, so the input messages that the subgraph
    // returns replace themselves rather than being appended again.
    const parent = new StateGraph(MessagesAnnotation)
      .addNode("tpo", createTpoGraph(createSimWorld()))
      .addEdge(START, "tpo")
      .addEdge("tpo", END)
      .compile();
    const result = await parent.invoke(
      { messages: [new HumanMessage(QUESTION)] },
      { context: { width: 2, depth: 5 }, recursionLimit: TPO_RECURSION_LIMIT },
    );
    expect(result.messages.map((m) => m.getType())).toEqual(["human", "ai"]);
    // Without it, the parent's default limit of 25 steps applies to the subgraph as well.
    await expect(
      parent.invoke({ messages: [new HumanMessage(QUESTION)] }, { context: { width: 2, depth: 5 } }),
    ).rejects.toThrow(/Recursion limit/);
  });
});
