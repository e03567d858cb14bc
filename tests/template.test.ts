import { describe, expect, it } from "vitest";
import { fillTemplate } from "../src/prompts/index.js";

describe("fillTemplate", () => {
  it("keeps placeholders inside the substituted values literal, whatever the order of the values", () => {
    const template = "Q: {query}\nA: {chosen}\nC: {critique}";
    const values = {
      query: "What does {chosen} print?",
      chosen: "It prints {critique}, then {query}.",
      critique: "Too short.",
    };
    const expected = "Q: What does {chosen} print?\nA: It prints {critique}, then {query}.\nC: Too short.";
    expect(fillTemplate(template, values)).toBe(expected);
    const reversed = Object.fromEntries(Object.entries(values).reverse());
    expect(fillTemplate(template, reversed)).toBe(expected);
  });

  it("inserts the replacement patterns of String.replace ($&, $1, $$, $`, $') literally", () => {
    const code = "s.replace(/(a)/, '$1$1'); cost = $$5; echo $& $` $'";
    expect(fillTemplate("<response>{chosen}</response>", { chosen: code })).toBe(
      `<response>${code}</response>`,
    );
  });

  it("fills every occurrence of a placeholder and leaves unknown ones as they are", () => {
    expect(fillTemplate("{a} and {a}, {b}", { a: "x" })).toBe("x and x, {b}");
    expect(fillTemplate("{toString} {constructor}", {})).toBe("{toString} {constructor}");
  });
});
