import { beforeAll, describe, expect, it } from "vitest";
import { createSimWorld, createTpoGraph, type TpoGraphOptions, type TpoNode } from "../src/index.js";
import { SimChatModel } from "../src/sim/index.js";
import { aspectsOf, mentionedPhrases, simCritique, simReward } from "../src/sim/world.js";

const QUERIES = Array.from(
  { length: 50 },
  (_, i) => `Simulated question ${i}: how should I approach problem number ${i * 7 + 3}?`,
);

/** Mean best reward over the 50 simulated queries; query i runs with seed 100 + i. */
async function meanBest(
  context: Record<string, unknown>,
  options: Partial<TpoGraphOptions> = {},
): Promise<number> {
  const graph = createTpoGraph({ ...createSimWorld(3), ...options });
  let total = 0;
  for (const [i, query] of QUERIES.entries()) {
    const out = await graph.invoke({ query }, { context: { seed: 100 + i, ...context } });
    total += out.best!.score;
  }
  return total / QUERIES.length;
}

describe("the simulated world", () => {
  it("(a) gives identical pools for two runs with the same seed", async () => {
    const run = () =>
      createTpoGraph(createSimWorld(5)).invoke(
        { query: "How do I take care of a wooden table?" },
        { context: { seed: 11, depth: 3 } },
      );
    const [first, second] = [await run(), await run()];
    expect(second.pool).toEqual(first.pool);
    expect(first.pool.length).toBeGreaterThan(5);
  });

  it("gives different pools for different seeds", async () => {
    const graph = createTpoGraph(createSimWorld(5));
    const [a, b] = [
      await graph.invoke({ query: "q" }, { context: { seed: 1, depth: 1 } }),
      await graph.invoke({ query: "q" }, { context: { seed: 2, depth: 1 } }),
    ];
    expect(a.pool.map((c) => c.id)).not.toEqual(b.pool.map((c) => c.id));
  });

  describe("over 50 simulated queries", () => {
    let tpo: number;
    beforeAll(async () => {
      tpo = await meanBest({ width: 5, depth: 3, mode: "tpo" });
    });

    it("(b) TPO at N=5, D=3 beats best-of-N with the same number of candidates (N=20)", async () => {
      const bon = await meanBest({ width: 20, depth: 0, mode: "bon" });
      expect(tpo).toBeGreaterThan(bon);
    });

    it("(c) a gradient that ignores the critique lowers the mean", async () => {
      const ignoring: TpoNode = () => ({ gradientText: "Make the response better." });
      const blind = await meanBest({ width: 5, depth: 3 }, { nodes: { gradient: ignoring } });
      expect(blind).toBeLessThan(tpo);
    });

    it("(d) revision, which never sees a rejected response, is below tpo", async () => {
      const revision = await meanBest({ width: 5, depth: 3, mode: "revision" });
      expect(revision).toBeLessThan(tpo);
    });
  });

  it("rewards aspect coverage and penalises padding", () => {
    const query = "How do I learn to juggle?";
    const aspects = aspectsOf(query).map((a) => a.phrase);
    const none = simReward(query, "A plain answer.");
    const half = simReward(query, aspects.slice(0, 3).join(". "));
    const all = simReward(query, aspects.join(". "));
    const padded = simReward(query, `${aspects.join(". ")} ${"padding ".repeat(300)}`);
    expect(none).toBeLessThan(half);
    expect(half).toBeLessThan(all);
    expect(padded).toBeLessThan(all);
  });

  it("names in a critique what the chosen response lacks and the rejected one has", () => {
    const query = "How do I learn to juggle?";
    const [a, b] = aspectsOf(query).map((x) => x.phrase);
    const critique = simCritique(query, `It has ${a}.`, `It has ${b}.`, () => 0.99);
    expect(mentionedPhrases(critique)).toEqual(expect.arrayContaining([a, b]));
  });

  it("answers n choices in one request, each as a separate sample with seed + i", async () => {
    const model = new SimChatModel();
    const batched = await model.generate([[{ role: "user", content: "q" } as never]], {
      n: 3,
      seed: 40,
    } as never);
    const singles = await Promise.all(
      [40, 41, 42].map(
        async (seed) =>
          (await model.generate([[{ role: "user", content: "q" } as never]], { seed } as never))
            .generations[0][0].text,
      ),
    );
    expect(batched.generations[0].map((g) => g.text)).toEqual(singles);
  });
});
