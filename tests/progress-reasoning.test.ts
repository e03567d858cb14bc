import { AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { TpoSettingsError } from "../src/errors.js";
import { tpoMetadataOf } from "../src/adapters/answer.js";
import {
  critiqueSummary,
  parseProgressMode,
  progressParagraph,
  progressReasoning,
} from "../src/adapters/progress-reasoning.js";
import { TpoChatModel } from "../src/adapters/tpo-chat-model.js";
import { IterationWatch } from "../src/run/iteration-watch.js";
import { parseTpoContext } from "../src/settings/run-settings.js";
import { emptyRecord, type HistoryRecord } from "../src/state/state.js";
import { createSimWorld } from "../src/sim/index.js";
import { GatedCritic } from "./helpers/gated-critic.js";

const QUESTION = "How do I take care of a wooden table?";
const SETTINGS = { width: 3, depth: 2, seed: 1 };

function reasoningOf(message: { additional_kwargs: Record<string, unknown> }): unknown {
  return message.additional_kwargs.reasoning_content;
}

function record(fields: Partial<HistoryRecord> & { iteration: number }): HistoryRecord {
  return { ...emptyRecord(fields.iteration), ...fields };
}

describe("progress as reasoning: the text", () => {
  it("summarises a critique in one line, without markdown, cut near 160 characters", () => {
    expect(critiqueSummary("The chosen one is practical.\nIt lacks a date.")).toBe(
      "The chosen one is practical.",
    );
    expect(critiqueSummary("## Strengths:\n- **Clear** steps\n- Short")).toBe("Strengths: Clear steps");
    expect(critiqueSummary("\n\n  \n")).toBeNull();
    expect(critiqueSummary(null)).toBeNull();
    const long = critiqueSummary(`The chosen response ${"covers many things, ".repeat(20)}`)!;
    expect(long.length).toBeLessThanOrEqual(160);
    expect(long.endsWith("…")).toBe(true);
    expect(long).not.toContain("\n");
  });

  it("says, per iteration, its number, the best score so far and the critique", () => {
    const settings = { depth: 2, mode: "tpo" as const };
    expect(progressParagraph(record({ iteration: 0, candidates: 5, bestSoFar: 6.8617 }), settings)).toBe(
      "Sampled 5 responses; the best scores 6.862.\n\n",
    );
    const step = record({
      iteration: 1,
      chosen: { id: "a", score: 6.8617 },
      critique: "Clear steps.\nNo example.",
      bestSoFar: 8.1231,
    });
    expect(progressParagraph(step, settings)).toBe(
      "Iteration 1 of 2: best score so far 8.123 (up from 6.862). Critique: Clear steps.\n\n",
    );
    expect(progressParagraph({ ...step, bestSoFar: 6.8617, critique: null }, settings)).toBe(
      "Iteration 1 of 2: best score so far 6.862 (unchanged).\n\n",
    );
  });

  it("reports each finished iteration once", () => {
    const watch = new IterationWatch();
    const unfinished = record({ iteration: 1, critique: "x" });
    const first = record({ iteration: 0, bestSoFar: 1 });
    expect(watch.newlyFinished([first, unfinished])).toEqual([first]);
    expect(watch.newlyFinished([first, { ...unfinished, bestSoFar: 2 }])).toHaveLength(1);
    expect(watch.newlyFinished([first, { ...unfinished, bestSoFar: 2 }])).toEqual([]);
    expect(watch.newlyFinished(undefined)).toEqual([]);
  });

  it("takes off, reasoning or nothing as the mode", () => {
    expect(parseProgressMode(undefined)).toBeUndefined();
    expect(parseProgressMode("reasoning")).toBe("reasoning");
    expect(parseProgressMode("off")).toBe("off");
    expect(() => parseProgressMode("thinking")).toThrow(TpoSettingsError);
  });
});

describe("TpoChatModel with progress as reasoning", () => {
  it("streams one reasoning chunk per iteration before the answer, and invoke carries the same reasoning", async () => {
    const model = new TpoChatModel({ ...createSimWorld(), settings: SETTINGS });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream(QUESTION, { tpo: { progress: "reasoning" } })) {
      chunks.push(chunk);
    }
    const answer = chunks.at(-1)!;
    const reasoning = chunks.slice(0, -1);
    expect(reasoning).toHaveLength(4); // the plan, the first sampling, two iterations
    for (const chunk of reasoning) {
      expect(chunk.content).toBe("");
      expect(reasoningOf(chunk)).toEqual(expect.any(String));
    }
    expect(reasoningOf(reasoning[0])).toMatch(
      /^Optimising the answer with TPO: 3 responses per step, 2 rounds/,
    );
    expect(reasoningOf(reasoning[1])).toMatch(/^Sampled 3 responses; the best scores /);
    expect(reasoningOf(reasoning[2])).toMatch(/^Iteration 1 of 2: best score so far .* Critique: \S/);
    expect(reasoningOf(reasoning[3])).toMatch(/^Iteration 2 of 2: /);
    expect(reasoningOf(answer)).toBeUndefined();

    const invoked = await model.invoke(QUESTION, { tpo: { progress: "reasoning" } });
    expect(answer.content).toBe(invoked.content);
    const joined = reasoning.map(reasoningOf).join("");
    expect(reasoningOf(invoked)).toBe(joined);
    const history = tpoMetadataOf(invoked)!.tpo_history;
    expect(joined).toBe(progressReasoning(history, parseTpoContext(SETTINGS)));

    // The chunks add up to the invoked message, as a LangChain caller concatenates them.
    const whole = chunks.reduce((sum, chunk) => sum.concat(chunk));
    expect(whole.content).toBe(invoked.content);
    expect(reasoningOf(whole)).toBe(joined);
    expect(tpoMetadataOf(whole)?.tpo_score).toBe(tpoMetadataOf(invoked)?.tpo_score);
  });

  it("sends each iteration as it finishes, not at the end", async () => {
    const world = createSimWorld();
    const critic = new GatedCritic();
    const model = new TpoChatModel({ ...world, critic, settings: SETTINGS });
    const seen: string[] = [];
    for await (const chunk of await model.stream(QUESTION, { tpo: { progress: "reasoning" } })) {
      const text = reasoningOf(chunk);
      if (typeof text === "string") seen.push(text);
      // The critic waits until the first sampling's paragraph has reached us.
      if (typeof text === "string" && text.startsWith("Sampled")) {
        expect(critic.requests).toBeLessThanOrEqual(1);
        critic.open();
      }
    }
    expect(seen).toHaveLength(4);
    expect(critic.requests).toBeGreaterThan(1);
  });

  it("takes the mode from the model's settings, and a call can turn it off", async () => {
    const model = new TpoChatModel({ ...createSimWorld(), settings: { ...SETTINGS, progress: "reasoning" } });
    const on = await model.invoke(QUESTION);
    expect(reasoningOf(on)).toMatch(/^Optimising/);
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream(QUESTION, { tpo: { progress: "off" } })) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(reasoningOf(chunks[0])).toBeUndefined();
    expect(chunks[0].content).toBe(on.content);
  });

  it("changes nothing when off: one chunk, no reasoning", async () => {
    const model = new TpoChatModel({ ...createSimWorld(), settings: SETTINGS });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream(QUESTION)) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].additional_kwargs).toEqual({});
    expect((await model.invoke(QUESTION)).additional_kwargs).toEqual({});
  });

  it("refuses a bad mode, naming the field", async () => {
    expect(() => new TpoChatModel({ ...createSimWorld(), settings: { progress: "loud" as never } })).toThrow(
      TpoSettingsError,
    );
    const model = new TpoChatModel({ ...createSimWorld(), settings: SETTINGS });
    await expect(model.invoke(QUESTION, { tpo: { progress: "loud" as never } })).rejects.toMatchObject({
      field: "progress",
    });
  });

  it("reaches a parent graph's messages stream as reasoning chunks before the answer", async () => {
    const model = new TpoChatModel({ ...createSimWorld(), settings: { ...SETTINGS, progress: "reasoning" } });
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addEdge(START, "agent")
      .addEdge("agent", END)
      .compile();
    const streamed: { content: unknown; reasoning: unknown }[] = [];
    for await (const [message] of await graph.stream(
      { messages: [new HumanMessage(QUESTION)] },
      { streamMode: "messages" },
    )) {
      streamed.push({ content: message.content, reasoning: reasoningOf(message) });
    }
    expect(streamed).toHaveLength(5);
    expect(streamed.slice(0, 4).every((m) => m.content === "" && typeof m.reasoning === "string")).toBe(true);
    expect(streamed[4].content).toEqual(expect.stringMatching(/\S/));
  });
});
