import { afterEach, describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { preset, REFERENCE_SYSTEM_PROMPT } from "../src/settings/presets.js";
import type { TpoContextInput } from "../src/settings/run-settings.js";
import type { Candidate } from "../src/state/state.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { startSimServer, type SimFaultRule, type SimServer } from "../src/sim/server.js";

/**
 * What each TPO step sends over the wire, read from the simulated server's request log: which
 * sections each prompt holds in modes tpo and revision, the critic's sampling settings, the system
 * prompt, untagged rewrites, and the official preset.
 */

const QUERY = "How do I take care of a wooden table?";

interface WireMessage {
  role: string;
  content: string;
}
interface ChatBody {
  messages: WireMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  n?: number;
  stop?: string[];
}
type Stage = "generate" | "critique" | "gradient" | "update";

let server: SimServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(context: TpoContextInput, faults: SimFaultRule[] = []) {
  server = await startSimServer({ faults });
  const policy = createOpenAIChatModel({ baseUrl: `${server.url}/v1` }, "tpo-sim");
  const rewardModel = createHttpRewardModel({
    url: server.url,
    kind: "vllm-pooling",
    model: "tpo-sim-reward",
  });
  const result = await createTpoGraph({ policy, rewardModel }).invoke({ query: QUERY }, { context });
  const chats = (server.stats.bodies["/v1/chat/completions"] ?? []) as ChatBody[];
  const pooling = server.stats.bodies["/pooling"] ?? [];
  return { result, chats, pooling };
}

const userText = (body: ChatBody) => body.messages.filter((m) => m.role === "user").at(-1)!.content;

function stageOf(body: ChatBody): Stage {
  const text = userText(body);
  if (text.includes("<suggestions>")) return "update";
  if (text.includes("<critique>")) return "gradient";
  if (text.includes("<query>")) return "critique";
  return "generate";
}

function byStage(chats: ChatBody[], stage: Stage): ChatBody[] {
  return chats.filter((b) => stageOf(b) === stage);
}

/** The text of a tagged section of a prompt, or null when the prompt has no such section. */
function section(text: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text);
  return match ? match[1] : null;
}

const textOf = (pool: Candidate[], id: string | undefined) => pool.find((c) => c.id === id)?.text;

describe("what each step's prompt shows", () => {
  it("mode tpo: critique sees chosen and rejected; gradient adds the critique; update adds the suggestions", async () => {
    const { result, chats } = await run({ width: 4, depth: 2, seed: 3 });
    for (const stage of ["critique", "gradient", "update"] as const) {
      expect(byStage(chats, stage)).toHaveLength(2);
    }
    for (const k of [1, 2]) {
      const record = result.history[k];
      const chosen = textOf(result.pool, record.chosen?.id);
      const rejected = textOf(result.pool, record.rejected?.id);
      expect(chosen).toBeTruthy();
      expect(rejected).toBeTruthy();
      expect(rejected).not.toBe(chosen);
      const [critique, gradient, update] = (["critique", "gradient", "update"] as const).map((stage) =>
        userText(byStage(chats, stage)[k - 1]),
      );
      for (const prompt of [critique, gradient, update]) {
        expect(section(prompt, "query")).toBe(QUERY);
        expect(section(prompt, "chosen_response")).toBe(chosen);
        expect(section(prompt, "rejected_response")).toBe(rejected);
        expect(section(prompt, "response")).toBeNull();
      }
      expect(section(critique, "critique")).toBeNull();
      expect(section(gradient, "critique")).toBe(record.critique);
      expect(section(gradient, "suggestions")).toBeNull();
      expect(section(update, "critique")).toBe(record.critique);
      expect(section(update, "suggestions")).toBe(record.gradient);
    }
  });

  it("mode revision: no prompt shows a rejected response", async () => {
    const { result, chats } = await run({ width: 4, depth: 2, seed: 3, mode: "revision" });
    const worst = [...result.pool].sort((a, b) => a.score! - b.score!)[0].text;
    for (const k of [1, 2]) {
      const record = result.history[k];
      const chosen = textOf(result.pool, record.chosen?.id);
      const [critique, gradient, update] = (["critique", "gradient", "update"] as const).map((stage) =>
        userText(byStage(chats, stage)[k - 1]),
      );
      for (const prompt of [critique, gradient, update]) {
        expect(section(prompt, "response")).toBe(chosen);
        expect(prompt).not.toContain("<rejected_response>");
        expect(prompt).not.toContain("<chosen_response>");
      }
      expect(section(gradient, "critique")).toBe(record.critique);
      expect(section(update, "critique")).toBe(record.critique);
      expect(section(update, "suggestions")).toBe(record.gradient);
    }
    const critic = chats.filter((b) => stageOf(b) !== "generate");
    expect(critic.every((b) => !b.messages.some((m) => m.content.includes(worst)))).toBe(true);
  });

  it("mode tpo with a single distinct score: no rejected response anywhere", async () => {
    const { result, chats } = await run({ width: 1, depth: 1, seed: 3 });
    expect(result.history[1].rejected).toBeNull();
    for (const body of chats.filter((b) => stageOf(b) !== "generate")) {
      expect(userText(body)).not.toContain("<rejected_response>");
      expect(section(userText(body), "response")).toBe(textOf(result.pool, result.history[1].chosen?.id));
    }
  });
});

describe("the critic's sampling and the system prompt on the wire", () => {
  it("sends the critic's temperature, top_p and max tokens, with a seed that moves per iteration", async () => {
    const { chats } = await run({
      width: 3,
      depth: 2,
      seed: 11,
      criticTemperature: 0.4,
      criticTopP: 0.9,
      criticMaxTokens: 321,
    });
    for (const stage of ["critique", "gradient"] as const) {
      const bodies = byStage(chats, stage);
      expect(bodies.map((b) => [b.temperature, b.top_p, b.max_tokens])).toEqual([
        [0.4, 0.9, 321],
        [0.4, 0.9, 321],
      ]);
      // iteration k's critic requests: seed + k·N
      expect(bodies.map((b) => b.seed)).toEqual([14, 17]);
    }
    // The policy's own settings stay on generate and update.
    for (const body of [...byStage(chats, "generate"), ...byStage(chats, "update")]) {
      expect([body.temperature, body.top_p, body.max_tokens]).toEqual([0.7, 0.95, 2048]);
    }
  });

  it("shows the system prompt to the policy when it samples, and to nothing else", async () => {
    const systemPrompt = "SYSTEM PROMPT OF THE RUN";
    const { chats, pooling } = await run({ width: 3, depth: 1, seed: 1, systemPrompt });
    const [generate] = byStage(chats, "generate");
    expect(generate.messages[0]).toEqual({ role: "system", content: systemPrompt });
    expect(generate.messages[1]).toEqual({ role: "user", content: QUERY });
    const others = chats.filter((b) => stageOf(b) !== "generate");
    expect(others).toHaveLength(3);
    for (const body of others) expect(JSON.stringify(body)).not.toContain(systemPrompt);
    expect(pooling.length).toBeGreaterThan(0);
    for (const body of pooling) expect(JSON.stringify(body)).not.toContain(systemPrompt);
  });
});

describe("update outputs without the response tags", () => {
  const UNTAGGED = "Sure! Here is a critique of the response, which is long and thorough and detailed.";
  const untaggedUpdates: SimFaultRule = {
    kind: "reply",
    content: UNTAGGED,
    when: (request) => JSON.stringify(request.body).includes("<suggestions>"),
  };

  it("are never scored, never in the pool, never the answer, and are counted", async () => {
    const { result, pooling } = await run({ width: 3, depth: 2, seed: 2 }, [untaggedUpdates]);
    expect(pooling.some((body) => JSON.stringify(body).includes("Sure! Here is"))).toBe(false);
    expect(result.pool.some((c) => c.text.includes("Sure! Here is"))).toBe(false);
    expect(result.best?.text).not.toContain("Sure! Here is");
    expect(result.history.map((h) => h.untagged)).toEqual([0, 3, 3]);
    expect(result.history.map((h) => h.candidates)).toEqual([3, 0, 0]);
  });

  it('are kept whole with untaggedRewrites "keep"', async () => {
    const { result } = await run({ width: 3, depth: 1, seed: 2, untaggedRewrites: "keep" }, [
      untaggedUpdates,
    ]);
    expect(result.pool.filter((c) => c.text === UNTAGGED)).toHaveLength(1);
    expect(result.history[1]).toMatchObject({ untagged: 3, candidates: 1 });
  });
});

describe("the official preset", () => {
  it("sends the reference run's settings; an explicit setting overrides the preset", async () => {
    const { result, chats } = await run(preset("official", { depth: 1 }));
    expect(result.history).toHaveLength(2);
    const stop = ["<|end_of_text|>", "<|eot_id|>", "<|im_end|>"];
    const [generate] = byStage(chats, "generate");
    expect(generate).toMatchObject({ n: 5, temperature: 0.7, top_p: 0.95, max_tokens: 2048, seed: 7, stop });
    expect(generate.messages[0]).toEqual({ role: "system", content: REFERENCE_SYSTEM_PROMPT });
    for (const stage of ["critique", "gradient"] as const) {
      const [critic] = byStage(chats, stage);
      expect(critic).toMatchObject({ temperature: 0.7, top_p: 0.99, max_tokens: 8192, stop });
      // The reference's loss and gradient requests carry no seed.
      expect(critic).not.toHaveProperty("seed");
    }
    // Its seed on every update request too, not moved on per iteration.
    expect(byStage(chats, "update")[0]).toMatchObject({ n: 5, temperature: 0.7, top_p: 0.95, seed: 7, stop });
  });
});
