import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { samplePrompts } from "./helpers/records.js";

/**
 * Money in `tpo eval`'s summary: with the judge's prices (the price flags, or a price list in
 * TPO_PRICES) the text and `--json` give the judging's cost in USD; without prices, nothing. The
 * simulated judge in process counts tokens as a server would.
 */
const SIM = { TPO_BACKEND: "sim" };
let dir = "";
const file = (name: string) => join(dir, name);
afterAll(removeTempDirs);

beforeAll(async () => {
  dir = tempDir();
  const input = samplePrompts()
    .slice(0, 3)
    .map((prompt, i) => JSON.stringify({ id: `q${i}`, prompt }));
  writeFileSync(file("input.jsonl"), input.join("\n"));
  for (const args of [
    [
      "batch",
      file("input.jsonl"),
      "--modes",
      "tpo",
      "--depth",
      "1",
      "--out",
      file("results.jsonl"),
      "--quiet",
    ],
    [
      "export",
      file("results.jsonl"),
      "--format",
      "alpaca-eval",
      "--mode",
      "first:tpo",
      "--out",
      file("reference.json"),
    ],
  ]) {
    const result = await runCliInProcess(args, { env: SIM, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
  }
}, 300_000);

const judge = (out: string, ...more: string[]) =>
  runCliInProcess(
    [
      "eval",
      "alpaca-eval",
      file("results.jsonl"),
      "--baseline",
      file("reference.json"),
      "--out",
      file(out),
      "--quiet",
      ...more,
    ],
    { env: SIM, timeoutMs: 120_000 },
  );

/** The tokens the annotations record, summed: what the judge was paid for. */
function tokensOf(path: string): { requests: number; promptTokens: number; completionTokens: number } {
  const rows = JSON.parse(readFileSync(path, "utf8")) as { tpo: { usage: Record<string, number> } }[];
  const sum = (key: string) => rows.reduce((s, r) => s + r.tpo.usage[key]!, 0);
  return {
    requests: sum("requests"),
    promptTokens: sum("promptTokens"),
    completionTokens: sum("completionTokens"),
  };
}

describe("tpo eval's judge cost", () => {
  it("is in the text summary with the price flags, at USD per million tokens", async () => {
    const result = await judge("flags.json", "--input-price", "2", "--output-price", "10");
    expect(result.code, result.stderr).toBe(0);
    const t = tokensOf(file("flags.json"));
    expect(t.requests).toBe(3);
    const usd = (t.promptTokens * 2 + t.completionTokens * 10) / 1e6;
    expect(result.stdout).toContain(
      `This run: 3 judge requests, ${t.promptTokens} prompt and ${t.completionTokens} completion tokens, $${usd.toFixed(4)}.`,
    );
  });

  it("is in --json's judging with a price list, per request too; absent without prices", async () => {
    writeFileSync(
      file("prices.json"),
      JSON.stringify({
        "tpo-sim": {
          input_cost_per_token: 3e-6,
          output_cost_per_token: 1.5e-5,
          input_cost_per_request: 0.01,
        },
      }),
    );
    const priced = await runCliInProcess(
      [
        "eval",
        "alpaca-eval",
        file("results.jsonl"),
        "--baseline",
        file("reference.json"),
        "--out",
        file("list.json"),
        "--quiet",
        "--json",
      ],
      { env: { ...SIM, TPO_PRICES: file("prices.json") }, timeoutMs: 120_000 },
    );
    expect(priced.code, priced.stderr).toBe(0);
    const t = tokensOf(file("list.json"));
    const json = JSON.parse(priced.stdout) as { judging: Record<string, number> };
    expect(json.judging).toMatchObject({ judged: 3, ...t });
    expect(json.judging.costUsd).toBeCloseTo(
      t.promptTokens * 3e-6 + t.completionTokens * 1.5e-5 + 3 * 0.01,
      12,
    );

    const unpriced = await judge("none.json", "--json");
    expect(unpriced.code, unpriced.stderr).toBe(0);
    expect((JSON.parse(unpriced.stdout) as { judging: object }).judging).not.toHaveProperty("costUsd");
    expect(unpriced.stderr).not.toContain("$");
  });
});
