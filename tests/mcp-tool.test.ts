import { describe, expect, it } from "vitest";
import {
  createSimWorld,
  createTpoGraph,
  ModelRequestError,
  TpoConfigError,
  TpoStepError,
} from "../src/index.js";
import { failureLine } from "../src/adapters/failure-line.js";
import { createOptimizeTool, RunSlots, type ToolCallContext } from "../src/mcp/optimize-tool.js";
import { loadMcpSdk, MCP_SDK_PACKAGE } from "../src/mcp/sdk.js";
import { parseToolArguments } from "../src/mcp/settings.js";
import { cappedDefaults } from "../src/settings/capped-defaults.js";
import { GatedCritic } from "./helpers/gated-critic.js";

const CAPS = { maxWidth: 4, maxDepth: 3, maxTokens: 1024 };
const QUERY = "How do I take care of a wooden table?";

function context(signal = new AbortController().signal, progressToken?: string) {
  const sent: { progress: number; total?: number; message?: string }[] = [];
  const call: ToolCallContext = {
    signal,
    _meta: progressToken === undefined ? undefined : { progressToken },
    sendNotification: async (notification) => {
      sent.push(notification.params);
    },
  };
  return { call, sent };
}

describe("the MCP SDK loader", () => {
  it("names the package and how to install it when the SDK is missing", async () => {
    const missing = Object.assign(
      new Error(`Cannot find package '${MCP_SDK_PACKAGE}' imported from /app/dist/bin/tpo.js`),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    const load = loadMcpSdk(() => Promise.reject(missing));
    await expect(load).rejects.toThrow(TpoConfigError);
    await expect(load).rejects.toThrow(
      `run \`npm install ${MCP_SDK_PACKAGE}\` where langgraph-tpo is installed`,
    );
  });

  it("passes on any other failure to load it", async () => {
    await expect(loadMcpSdk(() => Promise.reject(new SyntaxError("bad module")))).rejects.toThrow(
      SyntaxError,
    );
  });
});

describe("tpo_optimize's arguments", () => {
  it("are merged over the operator's defaults and checked by the graph's schema", () => {
    const { input, context: settings } = parseToolArguments({ query: ` ${QUERY} `, depth: 1 }, CAPS, {
      width: 3,
      seed: 5,
    });
    expect(input).toEqual({ query: QUERY });
    expect(settings).toMatchObject({ width: 3, depth: 1, seed: 5, mode: "tpo" });
  });

  it("bring the schema's defaults down to the caps, and refuse an operator default above them", () => {
    expect(cappedDefaults({}, { maxWidth: 2, maxDepth: 1, maxTokens: 100 }, "mcp")).toEqual({
      width: 2,
      depth: 1,
      maxTokens: 100,
      criticMaxTokens: 100,
    });
    expect(() => cappedDefaults({ width: 9 }, CAPS, "mcp")).toThrow(
      /^tpo mcp: the default width 9 is above the cap of 4 \(--max-width\)/,
    );
  });
});

describe("failureLine", () => {
  it("names the step and the status of an upstream failure, never its address or body", () => {
    const upstream = new ModelRequestError(
      "The request to http://user:hunter2@10.0.0.5:8000/v1 failed: status 502 (secret body)",
      "http://user:hunter2@10.0.0.5:8000/v1",
      502,
    );
    const line = failureLine(new TpoStepError("critique", upstream), "The tpo mcp log has the details.");
    expect(line).toBe(
      "TPO failed: in the critique step, the model server answered HTTP 502. The tpo mcp log has the details.",
    );
  });

  it("hides any address in other errors, on one line", () => {
    const line = failureLine(
      new TpoStepError("update", new Error("socket hang up at https://k:s@h/v1\nstack")),
    );
    expect(line).toBe("TPO failed in the update step: socket hang up at (address hidden)");
  });
});

describe("createOptimizeTool", () => {
  it("reports progress only when the call carries a progress token", async () => {
    const tool = createOptimizeTool({
      graph: createTpoGraph(createSimWorld()),
      caps: CAPS,
      slots: new RunSlots(1),
    });
    const silent = context();
    const answered = await tool.call({ query: QUERY, width: 2, depth: 2 }, silent.call);
    expect(answered.isError).toBeUndefined();
    expect(silent.sent).toEqual([]);
    const watched = context(undefined, "tok-1");
    await tool.call({ query: QUERY, width: 2, depth: 2, mode: "bon" }, watched.call);
    expect(watched.sent.map((p) => [p.progress, p.total])).toEqual([[0, 0]]); // best-of-N: the first sampling only
  });

  it("refuses a call beyond the runs at once, and frees its slot when a run ends or is cancelled", async () => {
    const { policy, rewardModel } = createSimWorld();
    const critic = new GatedCritic();
    const tool = createOptimizeTool({
      graph: createTpoGraph({ policy, critic, rewardModel }),
      caps: CAPS,
      slots: new RunSlots(1),
    });
    const controller = new AbortController();
    const first = tool.call({ query: QUERY, width: 2, depth: 1 }, context(controller.signal).call);
    for (let i = 0; i < 400 && critic.requests === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const refused = await tool.call({ query: QUERY }, context().call);
    expect(refused).toMatchObject({ isError: true });
    expect(refused.content[0].text).toMatch(/maximum of 1 TPO runs/);
    controller.abort();
    expect(await first).toEqual({
      content: [{ type: "text", text: "The call was cancelled." }],
      isError: true,
    });
    critic.open();
    const after = await tool.call({ query: QUERY, width: 2, depth: 1 }, context().call);
    expect(after.isError).toBeUndefined();
  });
});
