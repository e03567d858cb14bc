import { afterEach, describe, expect, it } from "vitest";
import { killChildren, runCliInProcess } from "./helpers/cli.js";
import { samplePrompts } from "./helpers/records.js";

afterEach(killChildren);

describe("tpo demo", () => {
  it("runs on the sample prompts that ship in data/ when no --prompts is given", async () => {
    const result = await runCliInProcess(["demo", "--count", "2", "--depth", "1"]);
    expect(result.code, result.stderr).toBe(0);
    // Each query's first line whole (the first prompt's is 160 characters); more lines are marked.
    const [first, second] = samplePrompts();
    expect(result.stdout).toContain(`Query 1: ${first.split("\n")[0]} …\n`);
    expect(result.stdout).toContain(`Query 2: ${second}\n`);
    // The first query is explained iteration by iteration, the others get a table of iterations.
    expect(result.stdout.match(/^iteration \d/gm)).toEqual(["iteration 0", "iteration 1"]);
    expect(result.stdout.match(/^ {2}iteration {4}best/gm)).toHaveLength(2);
    expect(result.stdout).not.toContain("Query 3:");
  });

  it("exits with 2 and names --prompts when the prompts file is missing", async () => {
    const result = await runCliInProcess(["demo", "--prompts", "no-such-prompts.json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("File not found: no-such-prompts.json (give another one with --prompts)");
    expect(result.stdout).toBe("");
  });
});
