import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../src/models/concurrency.js";
import { snippet } from "../src/http/fetch-with-retry.js";
import { parseNimScores } from "../src/models/reward-kinds.js";

describe("snippet", () => {
  it("puts a body on one line and cuts it", () => {
    expect(snippet("a\n  b")).toBe("a b");
    expect(snippet("")).toBe("(empty body)");
    expect(snippet("x".repeat(300))).toBe(`${"x".repeat(200)}…`);
  });
});

describe("parseNimScores", () => {
  it("reads name:value pairs, negative values and spaces included", () => {
    expect([...parseNimScores("helpfulness:1.5, Correctness: -0.25")]).toEqual([
      ["helpfulness", 1.5],
      ["correctness", -0.25],
    ]);
  });
  it("rejects content without pairs", () => {
    expect(() => parseNimScores("I think it is good")).toThrow(/not a name:value pair/);
    expect(() => parseNimScores("helpfulness:")).toThrow(/not a name:value pair/);
  });
});

describe("mapWithConcurrency", () => {
  it("keeps the order of the results when later calls finish first", async () => {
    const finished: number[] = [];
    const out = await mapWithConcurrency([3, 2, 1, 0], 4, async (x) => {
      await new Promise((resolve) => setTimeout(resolve, 10 * x));
      finished.push(x);
      return x * 10;
    });
    expect(finished).toEqual([0, 1, 2, 3]); // the last item finished first
    expect(out).toEqual([30, 20, 10, 0]);
  });
  it("aborts the calls in flight after the first failure and throws it", async () => {
    const aborted: number[] = [];
    const error = await mapWithConcurrency([0, 1, 2, 3], 2, (x, _i, signal) =>
      x === 0
        ? Promise.reject(new Error("first"))
        : new Promise<number>((_resolve, reject) =>
            signal.addEventListener("abort", () => {
              aborted.push(x);
              reject(new Error("aborted"));
            }),
          ),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe("first");
    expect(aborted).toEqual([1]);
  });
});
