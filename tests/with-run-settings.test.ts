import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { withRunSettings } from "../src/graph/with-run-settings.js";
import type { TpoNode } from "../src/nodes/contract.js";
import { ensureContext, parseTpoContext } from "../src/settings/run-settings.js";
import type { TpoStateType } from "../src/state/state.js";

/** The settings a step runs with: the call's when it sets any, else those the run keeps. */
describe("a step's run settings", () => {
  const widths: number[] = [];
  const node: TpoNode = (_state, runtime) => {
    widths.push(ensureContext(runtime).width);
    return {};
  };
  const kept = { settings: parseTpoContext({ width: 3 }) } as TpoStateType;
  const call = (name: "select" | "generate", runtime: object) =>
    withRunSettings(name, node)(kept, runtime as LangGraphRunnableConfig);

  it("are those the run keeps when the call sets none, the call's when it sets one, and generate's always the call's; the state is written only when they change", async () => {
    widths.length = 0;
    expect(await call("select", {})).toEqual({});
    expect(await call("select", { context: {} })).toEqual({});
    expect(await call("select", { context: { thread_id: "t" } })).toEqual({});
    expect(await call("select", { context: { width: 4 } })).toEqual({
      settings: parseTpoContext({ width: 4 }),
    });
    expect(await call("generate", { context: {} })).toEqual({ settings: parseTpoContext({}) });
    expect(await call("generate", { context: { width: 3 } })).toEqual({});
    expect(widths).toEqual([3, 3, 3, 4, 5, 3]);
  });
});
