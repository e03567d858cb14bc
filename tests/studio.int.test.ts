import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryRecord, TpoStateType } from "../src/index.js";
import type { TpoEvent } from "../src/state/events.js";
import type { HumanRewardRequest } from "../src/nodes/human-judgement.js";
import { startDevServer, type DevServer } from "./helpers/dev-server.js";

const query = "How do I take care of a wooden table?";
const ITERATION = ["critique", "gradient", "update", "reward", "select", "decide"];

let server: DevServer | undefined;
let client: Client;

beforeAll(async () => {
  server = await startDevServer();
  client = new Client({ apiUrl: server.url, timeoutMs: 30_000, defaultHeaders: {} });
}, 120_000);

// Runs also when a test failed: the server and the process the CLI spawned end with the group.
afterAll(async () => {
  await server?.stop();
}, 15_000);

async function tpoAssistant() {
  const [assistant] = await client.assistants.search({ graphId: "tpo", limit: 10 });
  expect(assistant, server?.output()).toBeDefined();
  return assistant;
}

describe("LangGraph Studio (langgraphjs dev)", () => {
  it("serves graph tpo with the run settings and editable prompts in its context schema", async () => {
    const assistant = await tpoAssistant();
    const schemas = await client.assistants.getSchemas(assistant.assistant_id);
    const properties = (schemas.context_schema as { properties: Record<string, Record<string, unknown>> })
      .properties;
    const defaults = {
      width: 5,
      depth: 2,
      mode: "tpo",
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 2048,
      sampling: "auto",
    };
    for (const [field, value] of Object.entries(defaults)) {
      expect(properties[field]).toMatchObject({ default: value, description: expect.any(String) });
    }
    for (const field of ["criticTemperature", "criticMaxTokens", "seed"]) {
      expect(properties[field].description).toEqual(expect.any(String));
    }
    expect(properties.critiqueSystemPrompt).toMatchObject({
      langgraph_nodes: ["critique"],
      langgraph_type: "prompt",
    });
    expect(properties.gradientUserPrompt).toMatchObject({
      langgraph_nodes: ["gradient"],
      langgraph_type: "prompt",
    });
    expect(properties.updateSystemPrompt).toMatchObject({
      langgraph_nodes: ["update"],
      langgraph_type: "prompt",
    });
  });

  it("gives graphs tpo and tpo-human an input schema: a query or a conversation", async () => {
    for (const graphId of ["tpo", "tpo-human"]) {
      const [assistant] = await client.assistants.search({ graphId, limit: 1 });
      const schemas = await client.assistants.getSchemas(assistant.assistant_id);
      const input = schemas.input_schema as { properties: Record<string, Record<string, unknown>> } | null;
      expect(input?.properties, `${graphId}: ${JSON.stringify(schemas.input_schema)}`).toBeDefined();
      expect(Object.keys(input!.properties).sort()).toEqual(["messages", "query"]);
      expect(input!.properties.query).toMatchObject({ type: "string", description: expect.any(String) });
      expect(input!.properties.messages).toMatchObject({ langgraph_type: "messages" });
      // The run settings' form stays beside it.
      expect(Object.keys((schemas.context_schema as { properties: object }).properties)).toContain("width");
    }
  });

  it("streams every node of every iteration and the progress events, and keeps the checkpoints", async () => {
    const thread = await client.threads.create();
    const nodes: string[] = [];
    const events: TpoEvent[] = [];
    for await (const chunk of client.runs.stream(thread.thread_id, "tpo", {
      input: { query },
      streamMode: ["updates", "custom"],
      context: { width: 2, depth: 2 },
    })) {
      expect(chunk.event, JSON.stringify(chunk.data)).not.toBe("error");
      if (chunk.event === "updates") nodes.push(...Object.keys(chunk.data as object));
      if (chunk.event === "custom") events.push(chunk.data as TpoEvent);
    }
    expect(nodes).toEqual(["generate", "reward", "select", "decide", ...ITERATION, ...ITERATION, "finalize"]);
    expect(events.filter((e) => e.type === "tpo.iteration.finished").map((e) => e.iteration)).toEqual([
      0, 1, 2,
    ]);
    expect(events.filter((e) => e.type === "tpo.candidates.scored")).toHaveLength(3);
    expect(events.at(-1)?.type).toBe("tpo.run.finished");

    const state = await client.threads.getState<TpoStateType>(thread.thread_id);
    expect(state.next).toEqual([]);
    expect(state.values.best?.score).toEqual(expect.any(Number));
    expect(state.values.history.map((r: HistoryRecord) => r.iteration)).toEqual([0, 1, 2]);
    expect(events.at(-1)).toMatchObject({ best: { score: state.values.best!.score } });

    // One checkpoint per step, newest first: the input, then each node in turn.
    const history = await client.threads.getHistory<TpoStateType>(thread.thread_id, { limit: 100 });
    const oldestFirst = [...history].reverse();
    expect(oldestFirst.map((s) => s.metadata?.step)).toEqual(oldestFirst.map((_, i) => i - 1));
    expect(oldestFirst.flatMap((s) => s.next)).toEqual(["__start__", ...nodes]);
    expect(history[0].values.best).toEqual(state.values.best);

    // The same thread again: a new user turn, with a different width and depth through the run's context.
    const again = (await client.runs.wait(thread.thread_id, "tpo", {
      input: { messages: [{ type: "human", content: "And how do I keep basil alive indoors?" }] },
      context: { width: 4, depth: 1 },
    })) as TpoStateType;
    expect(again.history.map((r) => r.iteration)).toEqual([0, 1]);
    expect(again.history[0].candidates).toBeGreaterThan(2);
    expect(again.history[0].candidates + again.history[0].failures).toBeLessThanOrEqual(4);
    expect(again.messages).toHaveLength(4);
  });

  it("runs with the settings of an assistant's context", async () => {
    const assistant = await client.assistants.create({
      graphId: "tpo",
      name: "best-of-3",
      context: { width: 3, mode: "bon" },
    });
    const result = (await client.runs.wait(null, assistant.assistant_id, {
      input: { query },
    })) as TpoStateType;
    expect(result.history.map((r) => r.iteration)).toEqual([0]);
    expect(result.history[0].candidates).toBe(3);
    expect(result.best?.score).toEqual(expect.any(Number));
  });

  it("serves graph tpo-human: a person judges through interrupts and resumes", async () => {
    const thread = await client.threads.create();
    const context = { width: 2, depth: 1 };
    // The question, as Studio finds it: the thread is interrupted in the reward node. (After a
    // re-ask, LangGraph.js leaves the state's `next` empty, since it counts the stored answer as a
    // write of the task; the thread's status and the task's interrupt are what tell.)
    const asked = async (): Promise<HumanRewardRequest> => {
      expect((await client.threads.get(thread.thread_id)).status).toBe("interrupted");
      const state = await client.threads.getState(thread.thread_id);
      expect(state.tasks.map((t) => t.name)).toEqual(["reward"]);
      return state.tasks[0].interrupts[0].value as HumanRewardRequest;
    };

    await client.runs.wait(thread.thread_id, "tpo-human", { input: { query }, context });
    const first = await asked();
    expect(first).toMatchObject({ type: "tpo.human_reward", iteration: 0 });
    expect(first.candidates).toHaveLength(2);

    await client.runs.wait(thread.thread_id, "tpo-human", { command: { resume: [1] }, context });
    const again = await asked();
    expect(again.error).toMatch(/1 scores for 2 candidates/);

    await client.runs.wait(thread.thread_id, "tpo-human", { command: { resume: [1, 2] }, context });
    const second = await asked();
    expect(second.iteration).toBe(1);
    const [best, worst] = second.candidates.map((c) => c.id);

    const done = (await client.runs.wait(thread.thread_id, "tpo-human", {
      command: { resume: { best, worst } },
      context,
    })) as TpoStateType;
    expect(done.best).toMatchObject({ score: 3, iteration: 1 });
  });

  it("keeps a tpo-human run's settings when it is resumed without a context", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "tpo-human", {
      input: { query },
      context: { width: 3, depth: 1 },
    });
    const asked = async (): Promise<HumanRewardRequest> =>
      (await client.threads.getState(thread.thread_id)).tasks[0].interrupts[0].value as HumanRewardRequest;
    expect((await asked()).candidates).toHaveLength(3);
    // As a client of the API resumes: the command alone.
    await client.runs.wait(thread.thread_id, "tpo-human", { command: { resume: [1, 2, 3] } });
    const second = await asked();
    expect(second.iteration).toBe(1);
    expect(second.candidates).toHaveLength(3);
    const done = (await client.runs.wait(thread.thread_id, "tpo-human", {
      command: { resume: [3, 2, 1] },
    })) as TpoStateType;
    expect(done.history.map((r) => r.iteration)).toEqual([0, 1]);
    expect((await client.threads.get(thread.thread_id)).status).toBe("idle");
  });
});
