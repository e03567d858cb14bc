import { afterEach, describe, expect, it } from "vitest";
import { killChildren, runCli } from "./helpers/cli.js";
import { samplePrompts } from "./helpers/records.js";

afterEach(killChildren);

describe("tpo demo", () => {
  it("runs on the sample prompts that ship in data/ when no --prompts is given", async () => {
    const result = await runCli(["demo", "--count", "2", "--depth", "1"]);
    expect(result.code, result.stderr).toBe(0);
    const [first, second] = samplePrompts().map((p) => p.split("\n")[0].slice(0, 100));
    expect(result.stdout).toContain(`Query 1: ${first}`);
    expect(result.stdout).toContain(`Query 2: ${second}`);
    expect(result.stdout).not.toContain("Query 3:");
  });

  it("exits with 2 and names --prompts when the prompts file is missing", async () => {
    const result = await runCli(["demo", "--prompts", "no-such-prompts.json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("File not found: no-such-prompts.json (give another one with --prompts)");
    expect(result.stdout).toBe("");
  });
});
