import { describe, expect, it } from "vitest";
import { leaderboardText } from "../src/cli/eval/leaderboard-text.js";
import type { LeaderboardRow } from "../src/eval/report/leaderboard.js";

const ESC = "\u001b";

/** A row as a stranger's annotations file could make it: names with terminal escape codes. */
const hostile: LeaderboardRow = {
  benchmark: "alpaca-eval",
  source: `ann${ESC}]0;pwned\u0007.json`,
  model: `ours${ESC}[2J`,
  baseline: `gpt-4${ESC}[31m`,
  category: null,
  judge: `judge${ESC}[0m`,
  prompt: `prompt\r${ESC}[1A`,
  n: 2,
  winRate: 50,
  standardError: 1,
  lcWinRate: null,
  lcStandardError: null,
  score: null,
  interval: null,
  notes: [`LC needs df_gamed.csv${ESC}[5m`],
  simulated: false,
};

describe("tpo report's leaderboard text", () => {
  it("prints the names a results file brings with their control characters escaped, never as they are", () => {
    const text = leaderboardText([hostile]);
    expect([...text].filter((c) => c < " " && c !== "\n")).toEqual([]);
    expect(text).toContain("ours\\u001b[2J");
    expect(text).toContain("judge\\u001b[0m");
  });
});
