import { describe, expect, it } from "vitest";
import { snippet } from "../src/http/fetch-with-retry.js";
import { parseNimScores } from "../src/models/reward/reward-kinds.js";

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
