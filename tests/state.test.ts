import { describe, expect, it } from "vitest";
import { makeCandidate, mergeHistory, mergePool } from "../src/state/state.js";

describe("the pool reducer", () => {
  it("treats identical texts as one candidate and keeps the first score", () => {
    const a = makeCandidate("same text", 0, "sample");
    const again = makeCandidate("same text", 2, "update");
    expect(again.id).toBe(a.id);
    const pool = mergePool(mergePool([], [{ ...a, score: 1 }]), [{ ...again, score: 5 }]);
    expect(pool).toEqual([{ ...a, score: 1 }]);
  });

  it("holds a repeated text once, whether the repeat comes in the same update or a later one", () => {
    const [a, b, c] = ["a", "b", "c"].map((t) => makeCandidate(t, 0, "sample"));
    const first = mergePool([], [a, b, { ...a }]);
    expect(first).toEqual([a, b]);
    const later = mergePool(first, [makeCandidate("a", 1, "update"), c, makeCandidate("c", 1, "update")]);
    expect(later).toEqual([a, b, c]);
  });

  it("fills a missing score in place, keeping the order of first appearance", () => {
    const a = makeCandidate("a", 0, "sample");
    const b = makeCandidate("b", 0, "sample");
    const pool = mergePool([a, b], [{ ...a, score: 3 }]);
    expect(pool.map((c) => [c.text, c.score])).toEqual([
      ["a", 3],
      ["b", null],
    ]);
  });
});

describe("the history reducer", () => {
  it("merges patches into the record of their iteration, adding counters and usage", () => {
    const history = mergeHistory(
      [],
      [
        { iteration: 1, critique: "c", usage: { modelRequests: 1, nodeMs: { critique: 5 } } },
        { iteration: 0, candidates: 3, usage: { modelRequests: 1, nodeMs: { generate: 7 } } },
        {
          iteration: 1,
          candidates: 2,
          untagged: 1,
          usage: { modelRequests: 1, nodeMs: { update: 3 } },
        },
        { iteration: 1, untagged: 1 },
      ],
    );
    expect(history.map((r) => r.iteration)).toEqual([0, 1]);
    expect(history[1]).toMatchObject({ critique: "c", candidates: 2, untagged: 2, elapsedMs: 8 });
    expect(history[1].usage).toMatchObject({ modelRequests: 2, nodeMs: { critique: 5, update: 3 } });
  });
});
