import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { judgedWithCache, judgeRequest, JudgeCacheTally, type JudgeCache } from "../src/eval/judge-cache.js";
import type { JudgementStore } from "../src/models/model-caches.js";

/** The rule for judges' verdicts (docs/cache.md): reused as a score is, keyed by judge, prompt in order and settings. */

interface Verdict {
  verdict: string | null;
  usage: { requests: number; promptTokens: number; completionTokens: number };
}

function memoryStore(): JudgementStore & { rows: Map<string, unknown> } {
  const rows = new Map<string, unknown>();
  return {
    rows,
    lookupJudgement: async (material) => rows.get(material),
    updateJudgement: async (material, value) => void rows.set(material, value),
  };
}

const read = {
  valid: (v: unknown): v is Verdict => typeof (v as Verdict | undefined)?.verdict === "string",
  counts: (v: Verdict) => v.usage,
};
const usage = { requests: 1, promptTokens: 100, completionTokens: 20 };
const prompt = (first: string, second: string) => [new HumanMessage(`A: ${first}\nB: ${second}`)];

/** An asker that counts its calls and answers `verdict`. */
function judge(verdict: string | null) {
  const calls = { n: 0 };
  return { calls, ask: async (): Promise<Verdict> => (calls.n++, { verdict, usage }) };
}

describe("the cache of judges' verdicts", () => {
  it("answers the same request again from the cache, telling what asking cost", async () => {
    const tally = new JudgeCacheTally({ inputPerToken: 1e-6, outputPerToken: 1e-5, perRequest: 0 });
    const cache: JudgeCache = { store: memoryStore(), judge: "judge-1", onAnswered: tally.add };
    const request = judgeRequest("pairwise", prompt("x", "y"), { temperature: 0 });
    const asker = judge("A");
    expect(await judgedWithCache(cache, request, read, asker.ask)).toEqual({ verdict: "A", usage });
    expect(await judgedWithCache(cache, request, read, asker.ask)).toEqual({ verdict: "A", usage });
    expect(asker.calls.n).toBe(1);
    expect(tally).toMatchObject({ requests: 1, tokens: 120 });
    expect(tally.costUsd).toBeCloseTo(100 * 1e-6 + 20 * 1e-5, 12);
  });

  it("keys on the order shown, the settings and the judge", async () => {
    const store = memoryStore();
    const asker = judge("A");
    const ask = (judgeId: string, first: string, second: string, temperature: number) =>
      judgedWithCache(
        { store, judge: judgeId },
        judgeRequest("pairwise", prompt(first, second), { temperature }),
        read,
        asker.ask,
      );
    await ask("judge-1", "x", "y", 0);
    await ask("judge-1", "y", "x", 0);
    await ask("judge-1", "x", "y", 1);
    await ask("judge-2", "x", "y", 0);
    expect(asker.calls.n).toBe(4);
    await ask("judge-1", "y", "x", 0);
    expect(asker.calls.n).toBe(4);
  });

  it("keeps no judgement without a verdict, and asks again for a row that is not a verdict", async () => {
    const store = memoryStore();
    const cache: JudgeCache = { store, judge: "judge-1" };
    const request = judgeRequest("arena-hard", prompt("x", "y"), { temperature: 0 });
    const unparseable = judge(null);
    await judgedWithCache(cache, request, read, unparseable.ask);
    expect(store.rows.size).toBe(0);
    await judgedWithCache(cache, request, read, unparseable.ask);
    expect(unparseable.calls.n).toBe(2);

    const asker = judge("A>B");
    await judgedWithCache(cache, request, read, asker.ask);
    expect(store.rows.size).toBe(1);
    const [key] = store.rows.keys();
    store.rows.set(key, { score: 3 }); // a row of another shape under the same key
    expect((await judgedWithCache(cache, request, read, asker.ask)).verdict).toBe("A>B");
    expect(asker.calls.n).toBe(2);
    expect(store.rows.get(key)).toEqual({ verdict: "A>B", usage }); // mended
  });

  it("without a cache, always asks", async () => {
    const asker = judge("A");
    const request = judgeRequest("pairwise", prompt("x", "y"), {});
    await judgedWithCache(undefined, request, read, asker.ask);
    await judgedWithCache(undefined, request, read, asker.ask);
    expect(asker.calls.n).toBe(2);
  });
});
