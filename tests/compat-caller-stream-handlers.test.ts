import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { CALLER_STREAM_HANDLERS } from "../src/compat/caller-stream-handlers.js";

/**
 * What src/compat/caller-stream-handlers.ts relies on in LangGraph: a graph streamed in its
 * "messages" and "tools" modes hands its nodes callback handlers with these names, and no others
 * of its own. A failure here means LangGraph renamed or added one: update that file.
 */
const State = Annotation.Root({ n: Annotation<number> });

function handlerNamesSeenByANode(streamMode: ("messages" | "tools" | "values")[], version?: "v3") {
  let names: string[] = [];
  const graph = new StateGraph(State)
    .addNode("look", (_state: typeof State.State, config: LangGraphRunnableConfig) => {
      const callbacks = config.callbacks as { handlers?: { name: string }[] } | { name: string }[];
      const handlers = Array.isArray(callbacks) ? callbacks : (callbacks?.handlers ?? []);
      names = handlers.map((handler) => handler.name);
      return { n: 1 };
    })
    .addEdge(START, "look")
    .addEdge("look", END)
    .compile();
  return { graph, names: () => names, options: { streamMode, ...(version ? { version } : {}) } };
}

describe("LangGraph's stream-mode handlers, as CALLER_STREAM_HANDLERS names them", () => {
  it.each([
    [undefined, ["StreamMessagesHandler", "StreamToolsHandler"]],
    ["v3" as const, ["StreamProtocolMessagesHandler", "StreamToolsHandler"]],
  ])("are what a node sees under messages and tools (version %s)", async (version, expected) => {
    const { graph, names, options } = handlerNamesSeenByANode(["messages", "tools", "values"], version);
    for await (const _chunk of await graph.stream({ n: 0 }, options as never)) {
      // run to the end
    }
    const ours = names().filter((name) => name.startsWith("Stream"));
    expect(ours.sort()).toEqual(expected);
    for (const name of ours) expect(CALLER_STREAM_HANDLERS.has(name)).toBe(true);
  });

  it("are absent when the caller streams neither mode", async () => {
    const { graph, names, options } = handlerNamesSeenByANode(["values"]);
    for await (const _chunk of await graph.stream({ n: 0 }, options as never)) {
      // run to the end
    }
    expect(names().filter((name) => CALLER_STREAM_HANDLERS.has(name))).toEqual([]);
  });
});
