import { describe, expect, it } from "vitest";
import { cut, explainIteration, explainOption, type ExplainOptions } from "../src/cli/explain/explain.js";
import { styleFor, wantsColour } from "../src/cli/explain/style.js";
import { CliUsageError } from "../src/cli/errors.js";
import { emptyRecord, makeCandidate, type Candidate, type HistoryRecord } from "../src/state/state.js";

function scored(text: string, score: number, iteration: number): Candidate {
  return { ...makeCandidate(text, iteration, iteration === 0 ? "sample" : "update"), score };
}

function record(fields: Partial<HistoryRecord> & { iteration: number }): HistoryRecord {
  return { ...emptyRecord(fields.iteration), ...fields };
}

const ESC = String.fromCharCode(27);
const OPTIONS: ExplainOptions = { level: "short", depth: 2, mode: "tpo", style: styleFor(false) };

describe("explaining an iteration", () => {
  const first = scored("Oil the table.\nWipe spills at once.", 5, 0);
  const worst = scored("Tables are furniture.", 1, 0);
  const better = scored("Oil the table twice a year.\nWipe spills at once.", 7, 1);
  const pool = [first, worst, better];

  it("shows the pair, the critique, the gradient and the diff of a new best", () => {
    const text = explainIteration(
      record({
        iteration: 1,
        chosen: { id: first.id, score: 5 },
        rejected: { id: worst.id, score: 1 },
        critique: "The chosen one is practical.\nIt does not say how often.",
        gradient: "1. Say how often.",
        candidates: 1,
        scores: { min: 7, mean: 7, max: 7 },
        bestSoFar: 7,
      }),
      pool,
      OPTIONS,
    );
    expect(text).toBe(
      [
        "iteration 1 of 2",
        "  chosen    5.00  Oil the table. (+1 line)",
        "  rejected  1.00  Tables are furniture.",
        "  critique  The chosen one is practical.",
        "            It does not say how often.",
        "  gradient  1. Say how often.",
        "  new       1 candidate scored 7.00–7.00",
        "  new best  7.00 (+2.00 over 5.00), written in iteration 1",
        "  diff      Oil the [-table.-] {+table twice a year.+}",
        "            Wipe spills at once.",
        "",
      ].join("\n"),
    );
  });

  it("says why there is no rejected response, and when the best did not change", () => {
    const text = explainIteration(
      record({
        iteration: 2,
        chosen: { id: better.id, score: 7 },
        critique: "Fine.",
        gradient: null,
        candidates: 2,
        scores: { min: 2, mean: 3, max: 4 },
        untagged: 1,
        bestSoFar: 7,
      }),
      [...pool, scored("Worse.", 4, 2), scored("Worst.", 2, 2)],
      { ...OPTIONS, mode: "revision" },
    );
    expect(text).toContain("  rejected  none: mode revision critiques the chosen response alone\n");
    expect(text).toContain("  gradient  (no gradient)\n");
    expect(text).toContain(
      "  new       2 candidates scored 2.00–4.00, 1 rewrite without the response tags\n",
    );
    expect(text).toContain("  best      7.00  unchanged: no new candidate beat it\n");
    expect(text).not.toContain("diff");
  });

  it("shortens long critiques to a few cut lines, and prints them whole at level full", () => {
    const critique = Array.from({ length: 9 }, (_, i) => `Line ${i}: ${"word ".repeat(30).trim()}`).join(
      "\n",
    );
    const step = record({ iteration: 1, chosen: { id: first.id, score: 5 }, critique, bestSoFar: 5 });
    const short = explainIteration(step, pool.slice(0, 2), OPTIONS);
    expect(short).toContain("Line 5:");
    expect(short).not.toContain("Line 6:");
    expect(short).toContain("… 3 more lines (--explain=full shows all)");
    const full = explainIteration(step, pool.slice(0, 2), { ...OPTIONS, level: "full" });
    for (const line of critique.split("\n")) expect(full).toContain(line);
  });

  it("explains the first sampling with its scores and best response", () => {
    const text = explainIteration(
      record({ iteration: 0, candidates: 2, scores: { min: 1, mean: 3, max: 5 }, failures: 1, bestSoFar: 5 }),
      pool,
      OPTIONS,
    );
    expect(text).toBe(
      [
        "iteration 0: first samples",
        "  new       2 candidates scored 1.00–5.00, 1 failed sample",
        "  best      5.00  Oil the table. (+1 line)",
        "",
      ].join("\n"),
    );
  });

  it("colours only when asked to", () => {
    const step = record({ iteration: 0, candidates: 1, scores: { min: 5, mean: 5, max: 5 }, bestSoFar: 5 });
    expect(explainIteration(step, pool, { ...OPTIONS, style: styleFor(true) })).toMatch(
      new RegExp(`${ESC}\\[1m`),
    );
    expect(explainIteration(step, pool, OPTIONS)).not.toContain(ESC);
  });
});

describe("colour", () => {
  it("is on for a terminal, off with NO_COLOR, and as FORCE_COLOR says otherwise", () => {
    expect(wantsColour({ isTTY: true }, {})).toBe(true);
    expect(wantsColour({ isTTY: false }, {})).toBe(false);
    expect(wantsColour({}, {})).toBe(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(wantsColour({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(wantsColour({ isTTY: false }, { FORCE_COLOR: "0" })).toBe(false);
    expect(wantsColour({ isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
  });
});

describe("the --explain flag", () => {
  it("reads a bare flag as short, a level as given, and anything else as the query", () => {
    expect(explainOption(undefined, "q")).toEqual({ level: null, query: "q" });
    expect(explainOption(true, "q")).toEqual({ level: "short", query: "q" });
    expect(explainOption("full", "q")).toEqual({ level: "full", query: "q" });
    expect(explainOption("How do I?", undefined)).toEqual({ level: "short", query: "How do I?" });
    expect(() => explainOption("loud", "q")).toThrow(CliUsageError);
  });

  it("writes control characters of a model's texts as escapes, at every level, and never cuts one in half", () => {
    const hostile = `Oil it.${ESC}]0;pwned\u0007${ESC}[2J\rGone`;
    const chosen = scored(hostile, 5, 0);
    const next = scored(`${hostile} twice`, 7, 1);
    for (const level of ["short", "full"] as const) {
      const text = explainIteration(
        record({
          iteration: 1,
          chosen: { id: chosen.id, score: 5 },
          rejected: null,
          critique: `Fine.${ESC}[31m red\r`,
          gradient: `${ESC}]52;c;ZXZpbA==\u0007`,
          candidates: 1,
          scores: { min: 7, mean: 7, max: 7 },
          bestSoFar: 7,
        }),
        [chosen, next],
        { ...OPTIONS, level },
      );
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(text).toContain("Oil it.\\u001b]0;pwned\\u0007");
      expect(text).toContain("\\u001b]52;c;ZXZpbA==");
    }
    // Cut where an escape or a surrogate pair would be split: the cut falls before it.
    for (let pad = 85; pad <= 96; pad++) {
      const shown = cut(`${"a".repeat(pad)}\\u001b[31m ${"b".repeat(20)}`, 96);
      expect(shown.endsWith("…")).toBe(true);
      expect(shown.slice(0, -1)).not.toMatch(/\\(u[0-9a-f]{0,3})?$/);
    }
    expect(cut(`${"a".repeat(94)}😀 more words`, 96)).toBe(`${"a".repeat(94)}…`);
  });

  it("cuts text at a word boundary", () => {
    expect(cut("short", 10)).toBe("short");
    expect(cut("one two three four five", 16)).toBe("one two three…");
    expect(cut("x".repeat(20), 10)).toBe(`${"x".repeat(9)}…`);
  });
});
