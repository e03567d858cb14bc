import { afterEach, describe, expect, it } from "vitest";
import type { HistoryRecord } from "../src/state/state.js";
import { killChildren, runCliInProcess } from "./helpers/cli.js";

afterEach(killChildren);

const QUERY = "How do I take care of a wooden table?";
const RUN = ["run", QUERY, "--width", "3", "--depth", "2", "--seed", "1"];
/** Neither forced nor refused colour: a pipe decides. */
const PLAIN_ENV = { FORCE_COLOR: undefined, NO_COLOR: undefined };
const ANSI = new RegExp(String.fromCharCode(27) + "\\[");

interface RunJson {
  best: { text: string; score: number };
  history: HistoryRecord[];
}

/** The explanation of each iteration: the text from its heading to the next one. */
function sections(stderr: string): Map<number, string> {
  const found = new Map<number, string>();
  const headings = [...stderr.matchAll(/^iteration (\d+)/gm)];
  headings.forEach((match, i) => {
    found.set(Number(match[1]), stderr.slice(match.index, headings[i + 1]?.index ?? stderr.length));
  });
  return found;
}

describe("tpo run --explain", () => {
  it("explains every iteration on standard error, in plain text when it is not a terminal", async () => {
    const result = await runCliInProcess([...RUN, "--explain", "--json"], { env: PLAIN_ENV });
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as RunJson; // standard output holds the JSON alone
    expect(result.stderr).not.toMatch(ANSI);
    const explained = sections(result.stderr);
    expect([...explained.keys()]).toEqual([0, 1, 2]);
    expect(explained.get(0)).toMatch(/^iteration 0: first samples\n {2}new {7}3 candidates scored/);
    expect(explained.get(0)).toMatch(/\n {2}best {6}\d/);
    for (const record of output.history.slice(1)) {
      const text = explained.get(record.iteration)!;
      expect(text.startsWith(`iteration ${record.iteration} of 2\n`)).toBe(true);
      for (const label of ["chosen", "rejected", "critique", "gradient", "new"]) {
        expect(text).toMatch(new RegExp(`^ {2}${label} +\\S`, "m"));
      }
      expect(text).toContain(`chosen    ${record.chosen!.score.toFixed(2)}  `);
      expect(text).toContain(`rejected  ${record.rejected!.score.toFixed(2)}  `);
      // A new best comes with a word diff against the previous one; otherwise the best is unchanged.
      expect(text).toMatch(/^ {2}(new best {2}\d.*\n {2}diff {6}\S|best {6}\d.* unchanged)/m);
    }
    // The sim's critiques have lines longer than the short form shows: they are cut.
    const longLine = output.history[1].critique!.split("\n").find((line) => line.length > 100)!;
    expect(longLine).toBeDefined();
    expect(result.stderr).not.toContain(longLine);
    expect(result.stderr).toContain(`${longLine.slice(0, 40)}`);
    expect(result.stderr).toMatch(/…/);
  });

  it("prints the critique and the gradient whole with --explain=full", async () => {
    const result = await runCliInProcess([...RUN, "--explain=full", "--json"], { env: PLAIN_ENV });
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as RunJson;
    const explained = sections(result.stderr);
    for (const record of output.history.slice(1)) {
      const text = explained.get(record.iteration)!;
      for (const line of [...record.critique!.split("\n"), ...record.gradient!.split("\n")]) {
        expect(text).toContain(line);
      }
    }
    // The last diff, read without its markers for removed words, is the best response itself.
    const last = explained.get(2)!;
    expect(last).toContain("new best"); // with this seed, the last update beats the best
    const diff = last.slice(last.indexOf("  diff      ") + 12).trim();
    const after = diff.replace(/\[-.*?-\] ?/g, "").replace(/\{\+(.*?)\+\}/g, "$1");
    expect(after.replace(/\s+/g, " ")).toBe(output.best.text.replace(/\s+/g, " "));
  });

  it("keeps standard output for the answer alone, takes the query after a bare --explain, and colours on request", async () => {
    const result = await runCliInProcess(
      ["run", "--explain", QUERY, "--width", "3", "--depth", "1", "--seed", "1"],
      {
        env: { FORCE_COLOR: "1", NO_COLOR: undefined },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(ANSI);
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(ANSI);
    expect(result.stderr).toContain("iteration 1 of 1");
  });

  it("refuses an unknown level with exit 2", async () => {
    const result = await runCliInProcess(["run", "--explain=everything", QUERY]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--explain takes short or full (as --explain=full), got "everything"');
    expect(result.stdout).toBe("");
  });
});

describe("tpo demo", () => {
  it("explains its first prompt only, unless told not to", async () => {
    const shown = await runCliInProcess(["demo", "--count", "2", "--depth", "1", "--width", "3"], {
      env: PLAIN_ENV,
    });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout.match(/^iteration 1 of 1$/gm)).toHaveLength(1);
    expect(shown.stdout.indexOf("iteration 1 of 1")).toBeLessThan(shown.stdout.indexOf("Query 2:"));
    expect(shown.stdout).toMatch(/^ {2}critique {2}\S/m);
    expect(shown.stdout).not.toMatch(ANSI);
    const quiet = await runCliInProcess([
      "demo",
      "--count",
      "2",
      "--depth",
      "1",
      "--width",
      "3",
      "--no-explain",
    ]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).not.toContain("iteration 1 of 1");
    expect(quiet.stdout).toContain("Query 2:");
  });
});
