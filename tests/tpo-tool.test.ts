import { BaseChatModel, type BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { RunCollectorCallbackHandler } from "@langchain/core/tracers/run_collector";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { describe, expect, it } from "vitest";
import {
  createSimWorld,
  createTpoGraph,
  createTpoTool,
  ModelRequestError,
  TpoConfigError,
  TpoSettingsError,
  TpoStepError,
} from "../src/index.js";
import { expectAbortStopsCritic, GatedCritic } from "./helpers/gated-critic.js";

const QUERY = "How do I take care of a wooden table?";

/** An agent's model that asks for the TPO tool once, then answers with what the tool returned. */
class ToolCallingAgentModel extends BaseChatModel<BaseChatModelCallOptions> {
  readonly seen: BaseMessage[][] = [];
  constructor(private readonly args: Record<string, unknown>) {
    super({});
  }
  _llmType(): string {
    return "scripted-agent";
  }
  override bindTools(): this {
    return this;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push(messages);
    const result = [...messages].reverse().find((m) => ToolMessage.isInstance(m));
    const message = result
      ? new AIMessage(`Here is a careful answer: ${result.text}`)
      : new AIMessage({
          content: "",
          tool_calls: [{ id: "call_1", name: "tpo_optimize", args: this.args, type: "tool_call" }],
        });
    return { generations: [{ text: message.text, message }] };
  }
}

/** A critic whose every request fails with the given error. */
class FailingCritic extends BaseChatModel<BaseChatModelCallOptions> {
  constructor(private readonly error: Error) {
    super({ maxRetries: 0 });
  }
  _llmType(): string {
    return "failing-critic";
  }
  async _generate(): Promise<ChatResult> {
    throw this.error;
  }
}

type Run = RunCollectorCallbackHandler["tracedRuns"][number];

function flatten(run: Run): Run[] {
  return [run, ...(run.child_runs ?? []).flatMap(flatten)];
}

describe("createTpoTool", () => {
  it("answers a query with the best response of a TPO run over the same models and settings", async () => {
    const settings = { width: 3, depth: 2, seed: 7 };
    const tool = createTpoTool({ ...createSimWorld(), settings });
    const answer = await tool.invoke({ query: QUERY });
    const graph = createTpoGraph(createSimWorld());
    const expected = await graph.invoke({ query: QUERY }, { context: settings });
    expect(answer).toBe(expected.best!.text);
  });

  it("takes width and depth from the agent, and returns the score and cost as a tool message's artifact", async () => {
    const tool = createTpoTool({ graph: createTpoGraph(createSimWorld()) });
    const message = (await tool.invoke({
      id: "call_9",
      name: "tpo_optimize",
      args: { query: QUERY, width: 2, depth: 1 },
      type: "tool_call",
    })) as ToolMessage;
    expect(ToolMessage.isInstance(message)).toBe(true);
    expect(message.tool_call_id).toBe("call_9");
    const artifact = message.artifact as {
      score: number;
      iterations: number;
      settings: unknown;
      cost: { modelRequests: number };
    };
    expect(message.text).toBe((artifact as unknown as { answer: string }).answer);
    expect(artifact.settings).toEqual({ width: 2, depth: 1, mode: "tpo" });
    expect(artifact.iterations).toBe(1);
    expect(artifact.cost.modelRequests).toBeGreaterThan(0);
    expect(typeof artifact.score).toBe("number");
  });

  it("refuses a width or depth above its caps, and bad settings when it is built", async () => {
    const tool = createTpoTool({ ...createSimWorld(), maxWidth: 4, maxDepth: 1 });
    expect(tool.description).toMatch(/by default width 4, depth 1/); // the defaults, down to the caps
    await expect(tool.invoke({ query: QUERY, width: 5 })).rejects.toThrow(/width/);
    await expect(tool.invoke({ query: QUERY, depth: 2 })).rejects.toThrow(/depth/);
    expect(() => createTpoTool({ ...createSimWorld(), settings: { width: 0 } })).toThrow(TpoSettingsError);
    expect(() => createTpoTool({ ...createSimWorld(), settings: { depth: 4 }, maxDepth: 2 })).toThrow(
      TpoConfigError,
    );
    const described = createTpoTool({ ...createSimWorld(), settings: { width: 4, depth: 1 } });
    expect(described.description).toMatch(/by default width 4, depth 1: up to 10 responses/);
  });

  it("is called by a ReAct agent, and the TPO run shows as a child of the tool call in the agent's trace", async () => {
    const tool = createTpoTool({ ...createSimWorld(), settings: { seed: 3 } });
    const model = new ToolCallingAgentModel({ query: QUERY, width: 2, depth: 1 });
    const agent = createReactAgent({ llm: model, tools: [tool] });
    const collector = new RunCollectorCallbackHandler();
    const result = await agent.invoke({ messages: [new HumanMessage(QUERY)] }, { callbacks: [collector] });

    const toolMessage = result.messages.find((m) => ToolMessage.isInstance(m)) as ToolMessage;
    expect(toolMessage.text.length).toBeGreaterThan(0);
    expect(result.messages.at(-1)!.text).toBe(`Here is a careful answer: ${toolMessage.text}`);

    const runs = collector.tracedRuns.flatMap(flatten);
    const toolRun = runs.find((r) => r.run_type === "tool" && r.name === "tpo_optimize");
    expect(toolRun).toBeDefined();
    const tpoRuns = runs.filter((r) => r.name === "tpo");
    expect(tpoRuns).toHaveLength(1);
    expect(tpoRuns[0].parent_run_id).toBe(toolRun!.id);
    const nodes = flatten(tpoRuns[0]).map((r) => r.name);
    expect(nodes).toEqual(expect.arrayContaining(["generate", "reward", "critique", "update", "finalize"]));
  });

  it("keeps TPO's inner model calls out of the agent's messages stream", async () => {
    const tool = createTpoTool({ ...createSimWorld(), settings: { width: 2, depth: 1 } });
    const agent = createReactAgent({ llm: new ToolCallingAgentModel({ query: QUERY }), tools: [tool] });
    const streamed: BaseMessage[] = [];
    for await (const [message] of await agent.stream(
      { messages: [new HumanMessage(QUERY)] },
      { streamMode: "messages" },
    )) {
      streamed.push(message as BaseMessage);
    }
    // The agent's two model turns and the tool's message; none of the samples or critiques inside TPO.
    expect(streamed.map((m) => m.getType())).toEqual(["ai", "tool", "ai"]);
  });

  it("stops the run, and its model requests, when the agent's signal aborts", async () => {
    const { policy, rewardModel } = createSimWorld();
    const critic = new GatedCritic();
    const tool = createTpoTool({ policy, critic, rewardModel, settings: { width: 2, depth: 3 } });
    await expectAbortStopsCritic(critic, (signal) => tool.invoke({ query: QUERY }, { signal }));
  });

  it("tells the agent a failed run in one line without the upstream's address, the whole error as its cause", async () => {
    const world = createSimWorld();
    const upstream = new ModelRequestError(
      "The request to http://user:hunter2@10.0.0.5:8000/v1 failed: status 503 (secret body)",
      "http://user:hunter2@10.0.0.5:8000/v1",
      503,
    );
    const critic = new FailingCritic(upstream);
    const tool = createTpoTool({ ...world, critic, settings: { width: 2, depth: 1 } });
    const error = await tool.invoke({ query: QUERY }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe("TPO failed: in the critique step, the model server answered HTTP 503.");
    expect(error?.cause).toBeInstanceOf(TpoStepError);
    expect((error?.cause as TpoStepError).cause).toBe(upstream);
  });
});

