import {
  Annotation,
  END,
  START,
  StateGraph,
  type AnnotationRoot,
  type StateDefinition,
} from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkContextFirst } from "../src/compat/validate-context.js";

/**
 * What src/compat/validate-context.ts relies on in LangGraph: each run passes its context through
 * the compiled graph's `_validateContext`, before any node runs, and the graph's context schema is
 * checked there. A failure here means that LangGraph changed this internal.
 */
const State = Annotation.Root({ seen: Annotation<unknown> });
const ContextSchema = z.object({ width: z.number().int().min(1).default(5) });

class CheckError extends Error {}

function compiled() {
  return new StateGraph(State, { context: ContextSchema as unknown as AnnotationRoot<StateDefinition> })
    .addNode("look", (_state, runtime) => ({ seen: runtime.context }))
    .addEdge(START, "look")
    .addEdge("look", END)
    .compile()
    .withConfig({ recursionLimit: 5 });
}

function refusingWidth0(seen: unknown[]) {
  return (context: unknown) => {
    seen.push(context);
    if ((context as { width?: unknown } | undefined)?.width === 0) throw new CheckError("width 0");
  };
}

describe("LangGraph's _validateContext, as checkContextFirst uses it", () => {
  it("is a method of a compiled, configured graph", () => {
    expect(typeof (compiled() as unknown as { _validateContext?: unknown })._validateContext).toBe(
      "function",
    );
  });

  it("sees each run's context before any node, for invoke and stream, and its error ends the run", async () => {
    const seen: unknown[] = [];
    const graph = checkContextFirst(compiled(), refusingWidth0(seen));
    await expect(graph.invoke({}, { context: { width: 0 } })).rejects.toBeInstanceOf(CheckError);
    const streaming = (async () => {
      for await (const _ of await graph.stream({}, { context: { width: 0 } })) void _;
    })();
    await expect(streaming).rejects.toBeInstanceOf(CheckError);
    expect(seen).toEqual([{ width: 0 }, { width: 0 }]);
  });

  it("keeps LangGraph's own validation after the check, and the context as given", async () => {
    const graph = checkContextFirst(compiled(), refusingWidth0([]));
    // 1.5 passes the check; the schema refuses it (LangGraph throws the schema's own error).
    const error = await graph.invoke({}, { context: { width: 1.5 } }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CheckError);
    expect(String(error)).toMatch(/width/);
    expect((await graph.invoke({}, { context: { width: 2 } })).seen).toEqual({ width: 2 });
  });

  it("changes only the graph it is given", async () => {
    const plain = compiled();
    checkContextFirst(compiled(), refusingWidth0([]));
    await expect(plain.invoke({}, { context: { width: 0 } })).rejects.not.toBeInstanceOf(CheckError);
  });
});
