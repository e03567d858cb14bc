import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";

/**
 * Prices on the command line, in the simulated world: a price list in LiteLLM's format, the
 * refusals (one line, exit 2), the cost in `tpo run --json` and in the batch summary, and
 * `--batch-max-cost`, which leaves the queries that would pass it for a `--resume`.
 */

afterEach(() => {
  killChildren();
  removeTempDirs();
});

const QUERY = "How do I take care of a wooden table?";
// $2.50 per million input tokens, $1.25 cached, $10 output; $0.0005 a score request.
const PRICES = {
  "tpo-sim": {
    input_cost_per_token: 2.5e-6,
    cache_read_input_token_cost: 1.25e-6,
    output_cost_per_token: 1e-5,
  },
  "tpo-sim-reward": { input_cost_per_request: 0.0005 },
};

function file(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("tpo with prices", () => {
  it("refuses a prices file that is not JSON, a missing model and a negative price: one line, exit 2", async () => {
    const dir = tempDir();
    const cases: [string, RegExp][] = [
      ["{ not json", /^tpo: The prices file .*bad\.json is not JSON/],
      [JSON.stringify({ "tpo-sim": PRICES["tpo-sim"] }), /has no model "tpo-sim-reward" \(the reward/],
      [
        JSON.stringify({ ...PRICES, "tpo-sim": { ...PRICES["tpo-sim"], output_cost_per_token: -1 } }),
        /model "tpo-sim" output_cost_per_token -1: a price is a number of 0 or more/,
      ],
    ];
    for (const [text, message] of cases) {
      const prices = file(dir, "bad.json", text);
      const result = await runCliInProcess(["run", QUERY, "--depth", "1", "--prices", prices]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    const noPrices = await runCliInProcess(["run", QUERY, "--depth", "1", "--max-cost", "0.01"]);
    expect(noPrices.code).toBe(2);
    expect(noPrices.stderr).toMatch(/--max-cost needs the models' prices/);
  });

  it("tpo run --json: the cost per node and in total; without prices, none", async () => {
    const prices = file(tempDir(), "prices.json", JSON.stringify(PRICES));
    const args = ["run", QUERY, "--depth", "1", "--seed", "3", "--critic-layout", "conversation", "--json"];
    const priced = JSON.parse((await runCliInProcess([...args, "--prices", prices])).stdout);
    const { usage } = priced;
    let total = 0;
    for (const [node, counts] of Object.entries<Record<string, number>>(usage.byNode)) {
      const expected =
        node === "reward"
          ? counts.requests * 0.0005
          : (counts.promptTokens - counts.cachedPromptTokens) * 2.5e-6 +
            counts.cachedPromptTokens * 1.25e-6 +
            counts.completionTokens * 1e-5;
      expect(counts.costUsd).toBeCloseTo(expected, 10);
      total += expected;
    }
    expect(usage.cachedPromptTokens).toBeGreaterThan(0);
    expect(usage.costUsd).toBeCloseTo(total, 10);
    const unpriced = JSON.parse((await runCliInProcess(args)).stdout);
    expect(unpriced.usage.costUsd).toBeUndefined();
    expect(unpriced.usage.promptTokens).toBe(usage.promptTokens);
  });

  it("tpo batch --batch-max-cost: starts no query that would pass it, says how many were left, and --resume runs them", async () => {
    const dir = tempDir();
    const prices = file(dir, "prices.json", JSON.stringify(PRICES));
    const queries = file(
      dir,
      "q.json",
      JSON.stringify([
        "What is a hash map?",
        "Explain recursion.",
        "Why is the sky blue?",
        "How do tides work?",
      ]),
    );
    const out = join(dir, "out.jsonl");
    const common = [
      "batch",
      queries,
      "--out",
      out,
      "--depth",
      "1",
      "--seed",
      "1",
      "--quiet",
      "--prices",
      prices,
    ];
    const first = await runCliInProcess([...common, "--batch-max-cost", "0.012"]);
    expect(first.code).toBe(0);
    const records = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const spent = records.reduce((s: number, r: { usage: { costUsd: number } }) => s + r.usage.costUsd, 0);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(4);
    expect(spent).toBeLessThanOrEqual(0.012 + records[0].usage.costUsd); // the estimate is the mean: off by at most a query
    expect(first.stderr).toContain(`${4 - records.length} of 4 queries were not started`);
    expect(first.stderr).toContain("--resume");
    expect(first.stdout).toMatch(/usd\/q +usd/);
    expect(first.stdout).toContain(`Cost: $${spent.toFixed(4)} in total`);

    const resumed = await runCliInProcess([...common, "--resume"]);
    expect(resumed.code).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(4);
  });

  it("tpo batch --batch-max-cost --cache: what the cache answered is not spent", async () => {
    const dir = tempDir();
    const prices = file(dir, "prices.json", JSON.stringify(PRICES));
    const queries = file(
      dir,
      "q.json",
      JSON.stringify(["Explain recursion.", "How do tides work?", "What is a hash map?"]),
    );
    const cache = join(dir, "cache.sqlite");
    const batch = (out: string, ...more: string[]) =>
      runCliInProcess([
        "batch",
        queries,
        "--out",
        join(dir, out),
        "--depth",
        "1",
        "--seed",
        "2",
        "--quiet",
        "--prices",
        prices,
        "--cache",
        cache,
        ...more,
      ]);
    const filled = await batch("first.jsonl");
    expect(filled.code, filled.stderr).toBe(0);
    // Less than one query costs: only a run that counts the cache's answers as spent stops early.
    const again = await batch("again.jsonl", "--batch-max-cost", "0.0001");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("were not started");
    expect(readFileSync(join(dir, "again.jsonl"), "utf8").trim().split("\n")).toHaveLength(3);
  });
});
