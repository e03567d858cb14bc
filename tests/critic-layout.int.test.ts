import { afterEach, describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import type { TpoContextInput } from "../src/settings/run-settings.js";
import { startSimServer, type SimServer } from "../src/sim/server.js";

/**
 * The critic layout `conversation`, read from the simulated server's request log: the critique,
 * gradient and update requests of an iteration extend one another, and each step is shown what it
 * is shown in layout `separate`.
 */

const QUERY = "How do I take care of a wooden table?";

interface WireMessage {
  role: string;
  content: string;
}
interface ChatBody {
  messages: WireMessage[];
  n?: number;
}

let server: SimServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(context: TpoContextInput) {
  server = await startSimServer({ answerChars: 1500 });
  const policy = createOpenAIChatModel({ baseUrl: `${server.url}/v1` }, "tpo-sim");
  const rewardModel = createHttpRewardModel({
    url: server.url,
    kind: "vllm-pooling",
    model: "tpo-sim-reward",
  });
  const state = await createTpoGraph({ policy, rewardModel }).invoke({ query: QUERY }, { context });
  const chats = (server.stats.bodies["/v1/chat/completions"] ?? []) as ChatBody[];
  return { state, chats };
}

function section(text: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text);
  return match ? match[1] : null;
}

/** What a critic request shows: its sections, and the critic's earlier answers. */
function shown(body: ChatBody) {
  const text = body.messages.map((m) => m.content).join("\n\n");
  const answers = body.messages.filter((m) => m.role === "assistant").map((m) => m.content);
  return {
    query: section(text, "query"),
    chosen: section(text, "chosen_response") ?? section(text, "response"),
    rejected: section(text, "rejected_response"),
    critique: section(text, "critique") ?? answers[0] ?? null,
    gradient: section(text, "suggestions") ?? answers[1] ?? null,
  };
}

const BASE: TpoContextInput = { width: 3, depth: 2, seed: 5, sampling: "n" };

describe("critic layout conversation", () => {
  it.each(["tpo", "revision"] as const)(
    "mode %s: each step's request starts with the previous step's messages and shows what separate shows",
    async (mode) => {
      const conversation = await run({ ...BASE, mode, criticLayout: "conversation" });
      const separate = await run({ ...BASE, mode });
      expect(conversation.chats).toHaveLength(separate.chats.length);
      for (let k = 1; k <= 2; k++) {
        const [critique, gradient, update] = conversation.chats.slice(1 + 3 * (k - 1), 4 + 3 * (k - 1));
        // One system message and one context turn shared by all three; each extends the one before.
        expect(critique.messages.map((m) => m.role)).toEqual(["system", "user"]);
        expect(gradient.messages.slice(0, 2)).toEqual(critique.messages);
        expect(update.messages.slice(0, 4)).toEqual(gradient.messages);
        expect(gradient.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
        expect(update.messages.map((m) => m.role)).toEqual([
          "system",
          "user",
          "assistant",
          "user",
          "assistant",
          "user",
        ]);

        // The same information as layout separate: the pair, then the critique, then the suggestions.
        const record = conversation.state.history[k];
        const textOf = (id: string | undefined) =>
          conversation.state.pool.find((c) => c.id === id)?.text ?? null;
        const pair = {
          query: QUERY,
          chosen: textOf(record.chosen?.id),
          rejected: mode === "tpo" ? textOf(record.rejected?.id) : null,
        };
        expect(shown(critique)).toEqual({ ...pair, critique: null, gradient: null });
        expect(shown(gradient)).toEqual({ ...pair, critique: record.critique, gradient: null });
        expect(shown(update)).toEqual({ ...pair, critique: record.critique, gradient: record.gradient });
        const [sc, sg, su] = separate.chats.slice(1 + 3 * (k - 1), 4 + 3 * (k - 1));
        const keys = (body: ChatBody) =>
          Object.entries(shown(body))
            .filter(([, v]) => v !== null)
            .map(([key]) => key);
        expect([critique, gradient, update].map(keys)).toEqual([sc, sg, su].map(keys));
      }
      expect(update_n(conversation.chats)).toEqual(update_n(separate.chats));
    },
  );

  it("the server's prefix cache holds most of the critic's prompt tokens, more than separate", async () => {
    const share = ({ state }: Awaited<ReturnType<typeof run>>) => {
      const critic = state.history.slice(1);
      const prompt = critic.reduce((s, r) => s + r.usage.promptTokens, 0);
      return critic.reduce((s, r) => s + r.usage.cachedPromptTokens, 0) / prompt;
    };
    const conversation = share(await run({ ...BASE, criticLayout: "conversation" }));
    const separate = share(await run(BASE));
    // Separate re-uses a prompt only when an iteration starts from the same pair as the one before.
    expect(conversation).toBeGreaterThan(0.5);
    expect(conversation).toBeGreaterThan(separate + 0.2);
  });
});

/** The `n` of every request: the update still asks for N rewrites in one request. */
function update_n(chats: ChatBody[]): (number | undefined)[] {
  return chats.map((c) => c.n);
}
