import { RunnableLambda } from "@langchain/core/runnables";
import { RunCollectorCallbackHandler } from "@langchain/core/tracers/run_collector";
import { createAgent, createMiddleware, FakeToolCallingModel } from "langchain";
import { describe, expect, it } from "vitest";
import { agentHookCallbacks } from "../src/compat/agent-hook-callbacks.js";

/**
 * What src/compat/agent-hook-callbacks.ts relies on in langchain: a `wrapModelCall` hook of
 * `createAgent` runs with the model node's config in async-local storage, so that a run it starts
 * with those callbacks is traced under the node. A failure here means that langchain changed it.
 */
type Run = RunCollectorCallbackHandler["tracedRuns"][number];

function flatten(run: Run): Run[] {
  return [run, ...(run.child_runs ?? []).flatMap(flatten)];
}

describe("the callbacks of createAgent's model node, as agentHookCallbacks reads them", () => {
  it("put a run that a wrapModelCall hook starts under the model node's run", async () => {
    const probe = RunnableLambda.from(async () => "probed").withConfig({ runName: "probe" });
    const middleware = createMiddleware({
      name: "Probe",
      wrapModelCall: async (request, handler) => {
        const answer = await handler(request);
        await probe.invoke({}, { callbacks: agentHookCallbacks() });
        return answer;
      },
    });
    const agent = createAgent({ model: new FakeToolCallingModel(), tools: [], middleware: [middleware] });
    const collector = new RunCollectorCallbackHandler();
    await agent.invoke({ messages: [{ role: "user", content: "Hello" }] }, { callbacks: [collector] });
    const runs = collector.tracedRuns.flatMap(flatten);
    const probeRun = runs.find((r) => r.name === "probe");
    expect(probeRun).toBeDefined();
    expect(runs.find((r) => r.id === probeRun!.parent_run_id)?.name).toBe("model_request");
  });
});
