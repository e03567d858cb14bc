import { describe, expect, it } from "vitest";
import { TpoWriteError } from "../src/errors.js";
import type { ResultsWriter } from "../src/eval/batch/results-file.js";
import { judgePairs } from "../src/eval/compare/judge-pairs.js";
import type { PairwiseJudge } from "../src/eval/compare/judge.js";
import type { Judgment } from "../src/eval/compare/judgment.js";

const pairs = ["p1", "p2", "p3", "p4"].map((id) => ({ id, query: `q ${id}`, a: `a ${id}`, b: `b ${id}` }));
const tokens = { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 };
const sides = { a: "tpo", b: "bon", judge: { model: "m" } };

/** A judge that prefers the first response shown, and fails on the queries named. */
function judgeFailingOn(...queries: string[]): PairwiseJudge {
  return {
    judge: async (query) => {
      if (queries.includes(query)) throw new Error(`no verdict for ${query}`);
      return { verdict: "A", rationale: "first", requests: 1, tokens };
    },
  };
}

function writer(failAfter = Infinity): ResultsWriter<Judgment> & { written: Judgment[] } {
  const written: Judgment[] = [];
  const append = (judgment: Judgment) => {
    if (written.length >= failAfter) throw new Error("ENOSPC: no space left on device");
    written.push(judgment);
  };
  return { path: "out.jsonl", written, append, close: () => {} } as unknown as ResultsWriter<Judgment> & {
    written: Judgment[];
  };
}

describe("judgePairs", () => {
  it("appends a judgment of each pair, in both orders", async () => {
    const out = writer();
    const seen: string[] = [];
    const { failure } = await judgePairs(pairs, {
      judge: judgeFailingOn(),
      sides,
      concurrency: 2,
      writer: out,
      onJudgment: (j) => seen.push(j.id),
    });
    expect(failure).toBeNull();
    expect(out.written.map((j) => j.id).sort()).toEqual(["p1", "p2", "p3", "p4"]);
    expect(seen.sort()).toEqual(["p1", "p2", "p3", "p4"]);
    expect(out.written[0]).toMatchObject({ outcome: "tie", judgeRequests: 2, judge: { model: "m" } });
  });

  it("starts no pair after one failed, and names it", async () => {
    const out = writer();
    const failed: string[] = [];
    const { failure } = await judgePairs(pairs, {
      judge: judgeFailingOn("q p2"),
      sides,
      concurrency: 1,
      writer: out,
      onFailure: (pair) => failed.push(pair.id),
    });
    expect(failure).toMatchObject({
      id: "p2",
      error: expect.objectContaining({ message: "no verdict for q p2" }),
    });
    expect(failed).toEqual(["p2"]);
    expect(out.written.map((j) => j.id)).toEqual(["p1"]);
  });

  it("throws a TpoWriteError naming the file when a judgment cannot be written, and judges no more", async () => {
    const out = writer(1);
    const judging = judgePairs(pairs, { judge: judgeFailingOn(), sides, concurrency: 1, writer: out });
    await expect(judging).rejects.toBeInstanceOf(TpoWriteError);
    await expect(judging).rejects.toThrow("writing out.jsonl failed (ENOSPC: no space left on device)");
    expect(out.written.map((j) => j.id)).toEqual(["p1"]);
  });
});
