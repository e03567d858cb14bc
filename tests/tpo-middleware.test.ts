import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  type BaseMessage,
} from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { tool } from "@langchain/core/tools";
import { RunCollectorCallbackHandler } from "@langchain/core/tracers/run_collector";
import { Command, MemorySaver } from "@langchain/langgraph";
import { createAgent, humanInTheLoopMiddleware } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tpoConversationOf, TOOL_WORK_HEADING } from "../src/adapters/agent-conversation.js";
import { loadLangchain } from "../src/adapters/load-langchain.js";
import {
  createFunctionRewardModel,
  createSimWorld,
  TpoConfigError,
  TpoSettingsError,
  tpoMetadataOf,
  type RewardModel,
} from "../src/index.js";
import { tpoMiddleware } from "../src/langchain.js";
import { SimChatModel, SimRewardModel } from "../src/sim/index.js";
import { expectAbortStopsCritic, GatedCritic } from "./helpers/gated-critic.js";

const QUESTION = "How do I take care of a wooden table?";
const TOOL_RESULT = "The table is solid oak with an oil finish.";
const DRAFT = "Wipe it with a damp cloth.";

/**
 * The agent's model: with tools bound (the agent's calls) it asks for the lookup tool, then answers
 * DRAFT once the tool has answered; without tools (TPO's calls, when it is TPO's policy too) it is
 * the simulated policy.
 */
class ScriptedAgentModel extends SimChatModel {
  readonly agentCalls: BaseMessage[][] = [];
  readonly toolCallTurns: AIMessage[] = [];
  untooledCalls = 0;

  override bindTools(tools: BindToolsInput[]) {
    return this.withConfig({ tools } as Partial<this["ParsedCallOptions"]>);
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    if (!options.tools?.length) {
      this.untooledCalls++;
      return super._generate(messages, options);
    }
    this.agentCalls.push(messages);
    const usage_metadata = { input_tokens: 11, output_tokens: 7, total_tokens: 18 };
    if (ToolMessage.isInstance(messages.at(-1))) {
      const message = new AIMessage({ id: "draft-1", content: DRAFT, usage_metadata });
      return { generations: [{ text: DRAFT, message }] };
    }
    const message = new AIMessage({
      id: `call-turn-${this.toolCallTurns.length}`,
      content: "",
      tool_calls: [{ id: "call_1", name: "lookup", args: { what: "table" }, type: "tool_call" }],
      usage_metadata,
    });
    this.toolCallTurns.push(message);
    return { generations: [{ text: "", message }] };
  }
}

/** The simulated policy, remembering what TPO showed it. */
class RecordingPolicy extends SimChatModel {
  readonly prompts: string[] = [];
  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.prompts.push(messages.map((m) => m.text).join("\n"));
    return super._generate(messages, options);
  }
}

/** A reward model that remembers the score it gave each response. */
function recordingReward(inner: RewardModel): RewardModel & { scores: Map<string, number> } {
  const scores = new Map<string, number>();
  return {
    scores,
    async score(items) {
      const result = await inner.score(items);
      items.forEach((item, i) => scores.set(item.response, result[i]));
      return result;
    },
  };
}

const lookup = tool(async () => TOOL_RESULT, {
  name: "lookup",
  description: "Looks up facts about the user's furniture.",
  schema: z.object({ what: z.string() }),
});

function agentWith(middleware: ReturnType<typeof tpoMiddleware>, model = new ScriptedAgentModel()) {
  return { model, agent: createAgent({ model, tools: [lookup], middleware: [middleware] }) };
}

const ask = { messages: [new HumanMessage(QUESTION)] };

type Run = RunCollectorCallbackHandler["tracedRuns"][number];

function flatten(run: Run): Run[] {
  return [run, ...(run.child_runs ?? []).flatMap(flatten)];
}

describe("tpoMiddleware", () => {
  it("passes tool-call turns through untouched and refines the final answer with TPO", async () => {
    const policy = new RecordingPolicy();
    const { rewardModel } = createSimWorld();
    const { model, agent } = agentWith(
      tpoMiddleware({ policy, rewardModel, settings: { width: 2, depth: 1 } }),
    );
    const result = await agent.invoke(ask);

    const [human, toolCall, toolResult, final] = result.messages;
    expect(result.messages).toHaveLength(4);
    expect(human.text).toBe(QUESTION);
    expect(toolCall.id).toBe(model.toolCallTurns[0].id);
    expect((toolCall as AIMessage).tool_calls).toEqual(model.toolCallTurns[0].tool_calls);
    expect(tpoMetadataOf(toolCall)).toBeUndefined();
    expect(toolResult.text).toBe(TOOL_RESULT);

    const metadata = tpoMetadataOf(final);
    expect(metadata).toBeDefined();
    expect(final.text).not.toBe(DRAFT); // the simulated policy's samples outscore the draft here
    expect(metadata!.tpo_history.map((r) => r.iteration)).toEqual([0, 1]);
    // TPO's policy saw the tool's result as context of the user's request.
    expect(policy.prompts[0]).toContain(QUESTION);
    expect(policy.prompts[0]).toContain(TOOL_RESULT);
    // Usage: the agent's own model call and the whole TPO run.
    const usage = (final as AIMessage).usage_metadata!;
    expect(usage.input_tokens).toBe(11 + metadata!.tpo_usage.promptTokens);
    expect(usage.output_tokens).toBe(7 + metadata!.tpo_usage.completionTokens);
    expect(model.untooledCalls).toBe(0); // the policy given, not the agent's model
  });

  it("returns an answer that scores at least the agent's own, which joins the pool", async () => {
    const reward = recordingReward(new SimRewardModel());
    const { agent } = agentWith(
      tpoMiddleware({ policy: new SimChatModel(), rewardModel: reward, settings: { width: 2, depth: 1 } }),
    );
    const final = (await agent.invoke(ask)).messages.at(-1)!;
    expect(reward.scores.has(DRAFT)).toBe(true);
    expect(tpoMetadataOf(final)!.tpo_score).toBeGreaterThanOrEqual(reward.scores.get(DRAFT)!);

    // A reward model that prefers the agent's answer to anything TPO writes: TPO keeps it.
    const prefersDraft = createFunctionRewardModel(({ response }) => (response === DRAFT ? 100 : 1));
    const kept = (
      await agentWith(tpoMiddleware({ ...createSimWorld(), rewardModel: prefersDraft })).agent.invoke(ask)
    ).messages.at(-1)!;
    expect(kept.text).toBe(DRAFT);
    expect(tpoMetadataOf(kept)!.tpo_score).toBe(100);
    const without = (
      await agentWith(
        tpoMiddleware({ ...createSimWorld(), rewardModel: prefersDraft, agentAnswerInPool: false }),
      ).agent.invoke(ask)
    ).messages.at(-1)!;
    expect(without.text).not.toBe(DRAFT);
    expect(tpoMetadataOf(without)!.tpo_score).toBe(1);
  });

  it("ends TPO after the first sampling when the agent's answer reaches the target score", async () => {
    const prefersDraft = createFunctionRewardModel(({ response }) => (response === DRAFT ? 100 : 1));
    const settings = { width: 2, depth: 3, targetScore: 50 };
    const { agent } = agentWith(tpoMiddleware({ ...createSimWorld(), rewardModel: prefersDraft, settings }));
    const final = (await agent.invoke(ask)).messages.at(-1)!;
    expect(final.text).toBe(DRAFT);
    expect(tpoMetadataOf(final)!.tpo_history.map((r) => r.iteration)).toEqual([0]);
  });

  it("uses the agent's own model as TPO's policy by default", async () => {
    const { rewardModel } = createSimWorld();
    const { model, agent } = agentWith(tpoMiddleware({ rewardModel, settings: { width: 2, depth: 1 } }));
    const final = (await agent.invoke(ask)).messages.at(-1)!;
    expect(tpoMetadataOf(final)).toBeDefined();
    expect(model.untooledCalls).toBeGreaterThan(0);
  });

  it("runs TPO only on the final answers that `when` picks", async () => {
    const policy = new RecordingPolicy();
    const seen: { messages: number; answer: string }[] = [];
    const middleware = tpoMiddleware({
      policy,
      rewardModel: new SimRewardModel(),
      settings: { width: 2, depth: 1 },
      when: (state, answer) => {
        seen.push({ messages: state.messages.length, answer: answer.text });
        return state.messages.length > 3;
      },
    });
    const { agent } = agentWith(middleware);
    const first = (await agent.invoke(ask)).messages.at(-1)!;
    expect(seen).toEqual([{ messages: 3, answer: DRAFT }]); // asked once, about the final answer only
    expect(first.text).toBe(DRAFT);
    expect(tpoMetadataOf(first)).toBeUndefined();
    expect(policy.prompts).toHaveLength(0);

    const longer = {
      messages: [new HumanMessage("Hello"), new AIMessage("Hi! How can I help?"), new HumanMessage(QUESTION)],
    };
    const second = (await agent.invoke(longer)).messages.at(-1)!;
    expect(tpoMetadataOf(second)).toBeDefined();
    expect(policy.prompts.length).toBeGreaterThan(0);
  });

  it("runs under the agent's model call in the agent's trace", async () => {
    const { agent } = agentWith(tpoMiddleware({ ...createSimWorld(), settings: { width: 2, depth: 1 } }));
    const collector = new RunCollectorCallbackHandler();
    await agent.invoke(ask, { callbacks: [collector] });
    const runs = collector.tracedRuns.flatMap(flatten);
    const tpoRuns = runs.filter((r) => r.name === "tpo");
    expect(tpoRuns).toHaveLength(1);
    const parent = runs.find((r) => r.id === tpoRuns[0].parent_run_id);
    expect(parent?.name).toBe("model_request");
    // The agent's last model call is under the same node run, and TPO's requests under TPO's run.
    const modelRuns = runs.filter((r) => r.run_type === "llm" && r.parent_run_id === parent!.id);
    expect(modelRuns).toHaveLength(1);
    const inner = flatten(tpoRuns[0]);
    expect(inner.map((r) => r.name)).toEqual(
      expect.arrayContaining(["generate", "reward", "critique", "update"]),
    );
    expect(inner.filter((r) => r.run_type === "llm").length).toBeGreaterThan(0);
  });

  it("stops TPO's model requests when the agent's signal aborts", async () => {
    const { policy, rewardModel } = createSimWorld();
    const critic = new GatedCritic();
    const { agent } = agentWith(
      tpoMiddleware({ policy, critic, rewardModel, settings: { width: 2, depth: 3 } }),
    );
    await expectAbortStopsCritic(critic, (signal) => agent.invoke(ask, { signal }));
  });

  it("shows TPO's progress in the agent's custom stream, and its answer as the final message", async () => {
    const { agent } = agentWith(tpoMiddleware({ ...createSimWorld(), settings: { width: 2, depth: 2 } }));
    const custom: { type: string }[] = [];
    const streamed: BaseMessage[] = [];
    let lastUpdate: BaseMessage | undefined;
    for await (const [mode, chunk] of await agent.stream(ask, {
      streamMode: ["custom", "messages", "updates"],
    })) {
      if (mode === "custom") custom.push(chunk as { type: string });
      else if (mode === "messages") streamed.push((chunk as [BaseMessage, unknown])[0]);
      else {
        const update = (chunk as Record<string, { messages?: BaseMessage[] }>).model_request;
        if (update?.messages?.length) lastUpdate = update.messages.at(-1);
      }
    }
    const types = custom.map((e) => e.type);
    expect(types.filter((t) => t === "tpo.iteration.started")).toHaveLength(3);
    expect(types.at(-1)).toBe("tpo.run.finished");
    expect(tpoMetadataOf(lastUpdate!)).toBeDefined();
    // The messages stream: the agent's turns (its draft included), then TPO's answer; none of TPO's
    // samples, critiques or rewrites.
    expect(streamed.map((m) => m.getType())).toEqual(["ai", "tool", "ai", "ai"]);
    expect(streamed[2].text).toBe(DRAFT);
    expect(streamed[3].text).toBe(lastUpdate!.text);
    expect(tpoMetadataOf(streamed[3])).toBeDefined();
  });

  it("keeps the agent's checkpointer and a human-in-the-loop interrupt working", async () => {
    const model = new ScriptedAgentModel();
    const agent = createAgent({
      model,
      tools: [lookup],
      checkpointer: new MemorySaver(),
      middleware: [
        humanInTheLoopMiddleware({ interruptOn: { lookup: true } }),
        tpoMiddleware({ ...createSimWorld(), settings: { width: 2, depth: 1 } }),
      ],
    });
    const config = { configurable: { thread_id: "t1" } };
    const paused = await agent.invoke(ask, config);
    expect(paused.__interrupt__).toHaveLength(1);
    expect(paused.messages.at(-1)!.getType()).toBe("ai"); // the tool call, untouched, awaiting approval

    const done = await agent.invoke(new Command({ resume: { decisions: [{ type: "approve" }] } }), config);
    const final = done.messages.at(-1)!;
    expect(done.messages.map((m) => m.getType())).toEqual(["human", "ai", "tool", "ai"]);
    expect(tpoMetadataOf(final)).toBeDefined();
    const saved = await agent.graph.getState(config);
    expect((saved.values as { messages: BaseMessage[] }).messages.at(-1)!.text).toBe(final.text);
  });

  it("refuses a bad setting when it is built", () => {
    expect(() => tpoMiddleware({ ...createSimWorld(), settings: { width: 0 } })).toThrow(TpoSettingsError);
  });
});

describe("the agent's conversation, as TPO answers it", () => {
  it("folds tool calls and results into the user turn they served, after the system prompt", () => {
    const conversation = tpoConversationOf(new SystemMessage("Be brief."), [
      new HumanMessage("Hi"),
      new AIMessage("Hello!"),
      new HumanMessage(QUESTION),
      new AIMessage({
        content: "Let me check.",
        tool_calls: [{ id: "c1", name: "lookup", args: { what: "table" }, type: "tool_call" }],
      }),
      new ToolMessage({ tool_call_id: "c1", content: TOOL_RESULT, name: "lookup" }),
    ]);
    expect(conversation.map((m) => [m.getType(), m.text])).toEqual([
      ["system", "Be brief."],
      ["human", "Hi"],
      ["ai", "Hello!"],
      [
        "human",
        `${QUESTION}\n\n${TOOL_WORK_HEADING}\n\nThe assistant said: Let me check.\n\n` +
          `lookup({"what":"table"}) returned: ${TOOL_RESULT}`,
      ],
    ]);
  });

  it("is empty when no user request is left to answer", () => {
    expect(
      tpoConversationOf(new SystemMessage(""), [new HumanMessage("Hi"), new AIMessage("Hello!")]),
    ).toEqual([]);
  });
});

describe("loading langchain", () => {
  it("says in one line how to install it when it is missing", async () => {
    const missing = async (name: string) => {
      throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/x.js`), {
        code: "ERR_MODULE_NOT_FOUND",
      });
    };
    const error = await loadLangchain(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoConfigError);
    expect((error as Error).message).toMatch(/`npm install langchain`/);
    expect((error as Error).message).not.toContain("\n");
  });

  it("loads createMiddleware when it is installed", async () => {
    expect(typeof (await loadLangchain()).createMiddleware).toBe("function");
  });
});
