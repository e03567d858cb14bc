/**
 * Measures of issue 13 (less compute for the same answer), in the simulated world with answers
 * about as long as real ones: 7. what the server's prefix cache re-uses of the critic's prompts in
 * layouts `separate` and `conversation`; 8. mean best reward against tokens spent, for tpo with and
 * without `patience: 1` and best-of-N at several widths. Simulated: the mechanics, not real models.
 */
import { createTpoGraph } from "../src/graph/builder.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { createSimWorld } from "../src/sim/index.js";
import { startSimServer } from "../src/sim/server.js";
import type { TpoContextInput } from "../src/settings/run-settings.js";
import type { TpoStateType } from "../src/state/state.js";
import type { BenchEnv } from "./measures.js";
import { round } from "./stats.js";

const CHAT = "/v1/chat/completions";

interface ChatBody {
  messages: { role: string; content: string }[];
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

/** A request's prompt as one string, role by role, as a chat template lays it out. */
function promptString(body: ChatBody): string {
  return body.messages.map((m) => `<|${m.role}|>\n${m.content}\n`).join("");
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Of the critic's prompt characters, those that begin like a prompt the server had already received. */
function criticPrefixShare(chats: ChatBody[]): number {
  const prompts = chats.map(promptString);
  let seen = 0;
  let total = 0;
  for (let i = 0; i < prompts.length; i++) {
    const isCritic = chats[i].messages.some((m) => m.content.includes("<query>"));
    if (!isCritic) continue;
    let longest = 0;
    for (let j = 0; j < i; j++) longest = Math.max(longest, commonPrefix(prompts[i], prompts[j]));
    seen += longest;
    total += prompts[i].length;
  }
  return total === 0 ? 0 : seen / total;
}

// 7. Prefix cache: separate vs conversation, per query, over HTTP against a server with a prefix cache.
export async function measurePrefixCache(env: BenchEnv) {
  const { runs, queries, answerChars } = env.config.prefixCache;
  const prompts = env.prompts.slice(0, queries);
  const rows = [];
  for (const { depth, width } of runs) {
    for (const criticLayout of ["separate", "conversation"] as const) {
      // A fresh server per row: its cache starts empty, and holds only this row's requests.
      const server = await startSimServer({ answerChars });
      try {
        const policy = createOpenAIChatModel({ baseUrl: `${server.url}/v1` }, "tpo-sim");
        const rewardModel = createHttpRewardModel({ url: server.url, kind: "tei" });
        const graph = createTpoGraph({ policy, rewardModel });
        const states: TpoStateType[] = [];
        for (const [i, query] of prompts.entries()) {
          const context: TpoContextInput = { width, depth, criticLayout, sampling: "n", seed: i };
          states.push((await graph.invoke({ query }, { context })) as TpoStateType);
        }
        const chats = (server.stats.bodies[CHAT] ?? []) as ChatBody[];
        const critic = states.map((s) => s.history.slice(1));
        const sum = (pick: (r: TpoStateType["history"][number]) => number) =>
          mean(critic.map((records) => records.reduce((s, r) => s + pick(r), 0)));
        const promptTokens = mean(states.map((s) => s.usage.promptTokens));
        const cachedPromptTokens = mean(states.map((s) => s.usage.cachedPromptTokens));
        rows.push({
          depth,
          width,
          criticLayout,
          queries: prompts.length,
          promptTokens: round(promptTokens, 0),
          cachedPromptTokens: round(cachedPromptTokens, 0),
          cachedShare: round(cachedPromptTokens / promptTokens),
          completionTokens: round(mean(states.map((s) => s.usage.completionTokens)), 0),
          requests: round(mean(states.map((s) => s.usage.modelRequests)), 1),
          criticPromptTokens: round(
            sum((r) => r.usage.promptTokens),
            0,
          ),
          criticCachedShare: round(sum((r) => r.usage.cachedPromptTokens) / sum((r) => r.usage.promptTokens)),
          criticPrefixCharShare: round(criticPrefixShare(chats)),
          meanAnswerChars: round(mean(states.map((s) => s.best!.text.length)), 0),
          meanBest: round(mean(states.map((s) => s.best!.score))),
        });
      } finally {
        await server.close();
      }
    }
  }
  return { answerChars, rows };
}

// 8. Stopping rules: mean best reward against tokens, tpo with and without patience, and best-of-N.
export async function measureStopping(env: BenchEnv) {
  const { depth, width, queries, bonWidths, answerChars } = env.config.stopping;
  const prompts = env.prompts.slice(0, queries);
  const variant = async (label: string, context: TpoContextInput) => {
    const graph = createTpoGraph(createSimWorld(0, { answerChars }));
    const states: TpoStateType[] = [];
    for (const [i, query] of prompts.entries()) {
      states.push((await graph.invoke({ query }, { context: { ...context, seed: i } })) as TpoStateType);
    }
    return {
      label,
      queries: states.length,
      meanBest: round(mean(states.map((s) => s.best!.score))),
      tokens: round(mean(states.map((s) => s.usage.promptTokens + s.usage.completionTokens)), 0),
      requests: round(mean(states.map((s) => s.usage.modelRequests)), 2),
      meanStoppedAt: round(mean(states.map((s) => s.stoppedAt ?? 0)), 2),
      stoppedEarly: states.filter((s) => s.stopReason !== "depth").length,
    };
  };
  const rows = [
    await variant(`tpo D${depth}-N${width}`, { mode: "tpo", depth, width, sampling: "n" }),
    await variant(`tpo D${depth}-N${width}, patience 1`, {
      mode: "tpo",
      depth,
      width,
      sampling: "n",
      patience: 1,
    }),
  ];
  for (const n of bonWidths) rows.push(await variant(`bon N${n}`, { mode: "bon", width: n, sampling: "n" }));
  return { depth, width, answerChars, rows };
}
