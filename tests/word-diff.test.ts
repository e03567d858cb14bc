import { describe, expect, it } from "vitest";
import { diffWords, renderDiff, wordTokens, type DiffPart } from "../src/util/word-diff.js";

function side(parts: DiffPart[], keep: "removed" | "added"): string {
  return parts
    .filter((p) => p.type === "same" || p.type === keep)
    .map((p) => p.text)
    .join("");
}

describe("the word-level diff", () => {
  it("splits a text into words that join back into it", () => {
    const text = "  Two lines,\nwith  spacing. ";
    expect(wordTokens(text)).toEqual(["  ", "Two ", "lines,\n", "with  ", "spacing. "]);
    expect(wordTokens(text).join("")).toBe(text);
    expect(wordTokens("")).toEqual([]);
  });

  it("marks removed and added words, keeping the shared ones", () => {
    const parts = diffWords("the quick brown fox", "the slow brown dog");
    expect(parts).toEqual([
      { type: "same", text: "the " },
      { type: "removed", text: "quick " },
      { type: "added", text: "slow " },
      { type: "same", text: "brown " },
      { type: "removed", text: "fox" },
      { type: "added", text: "dog" },
    ]);
    expect(renderDiff(parts)).toBe("the [-quick-] {+slow+} brown [-fox-]{+dog+}");
  });

  it("gives back both texts: shared and added words are the new text, shared and removed the old one's words", () => {
    const before = "Wipe the table with a damp cloth. Dry it at once.\nOil it twice a year.";
    const after = "Dust the table weekly. Wipe it with a damp cloth and dry it at once.\nOil it once a year.";
    const parts = diffWords(before, after);
    expect(side(parts, "added")).toBe(after);
    const words = (text: string) => text.split(/\s+/).filter(Boolean);
    expect(words(side(parts, "removed"))).toEqual(words(before));
  });

  it("keeps the longest run of shared words", () => {
    const parts = diffWords("a b c d e f", "x a b c y e f");
    expect(parts.filter((p) => p.type === "same").map((p) => p.text.trim())).toEqual(["a b c", "e f"]);
    expect(parts.filter((p) => p.type !== "same").map((p) => `${p.type}:${p.text.trim()}`)).toEqual([
      "added:x",
      "removed:d",
      "added:y",
    ]);
  });

  it("finds nothing to mark in equal texts, and everything in disjoint ones", () => {
    expect(diffWords("same words", "same words")).toEqual([{ type: "same", text: "same words" }]);
    expect(diffWords("", "new")).toEqual([{ type: "added", text: "new" }]);
    expect(diffWords("old", "")).toEqual([{ type: "removed", text: "old" }]);
    expect(diffWords("", "")).toEqual([]);
  });

  it("compares words without the whitespace after them", () => {
    const parts = diffWords("one two\nthree", "one two three");
    expect(parts.every((p) => p.type === "same")).toBe(true);
  });

  it("shortens long shared runs around the changes with a context of words", () => {
    const shared = Array.from({ length: 30 }, (_, i) => `w${i}`).join(" ");
    const parts = diffWords(`start ${shared} old end`, `begin ${shared} new end`);
    const short = renderDiff(parts, { context: 2 });
    expect(short).toBe("[-start-] {+begin+} w0 w1 … w28 w29 [-old-] {+new+} end");
    expect(renderDiff(parts)).toContain(shared);
  });

  it("elides the ends of a text far from any change", () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    const before = words.join(" ");
    const after = [...words.slice(0, 10), "NEW", ...words.slice(10)].join(" ");
    expect(renderDiff(diffWords(before, after), { context: 1 })).toBe("… w9 {+NEW+} w10 …");
  });

  it("marks each line of a changed run, so that the result can be cut at a line", () => {
    const parts = diffWords("keep", "keep two\nnew lines");
    expect(renderDiff(parts)).toBe("keep {+two+}\n{+new lines+}");
    const colour = renderDiff(parts, { marks: { removed: (t) => `<${t}>`, added: (t) => `<<${t}>>` } });
    expect(colour).toBe("keep <<two>>\n<<new lines>>");
  });

  it("falls back to replacing everything when the texts are too long to compare", () => {
    const before = Array.from({ length: 2_100 }, (_, i) => `a${i}`).join(" ");
    const after = Array.from({ length: 2_100 }, (_, i) => `b${i}`).join(" ");
    const parts = diffWords(before, after);
    expect(parts.map((p) => p.type)).toEqual(["removed", "added"]);
  });
});
