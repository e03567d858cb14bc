import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { samplePrompts } from "./helpers/records.js";
import { simServerEnv, useSimServer } from "./helpers/sim-http.js";

/**
 * The persistent cache under the judges of `tpo compare` and `tpo eval alpaca-eval|arena-hard`, over
 * HTTP against the simulated server: a second identical run with the same `--cache` sends the
 * judge no request, writes the same verdicts, and says what the cache answered and saved.
 */
const sim = useSimServer();
afterEach(killChildren);
afterAll(removeTempDirs);

const CHAT = "/v1/chat/completions";
const QUERIES = 3;
// $2.50 per million input tokens, $10 output: the judge's verdicts have a price.
const PRICES = { "tpo-sim": { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5 } };

let dir = "";
const file = (name: string) => join(dir, name);
const run = (args: string[], prices = true) =>
  runCliInProcess(args, {
    env: simServerEnv(sim.server, prices ? { TPO_PRICES: file("prices.json") } : {}),
    timeoutMs: 120_000,
  });
/** A file's text without the times it was written at and the seconds each judgement took. */
const withoutTimes = (path: string) =>
  readFileSync(path, "utf8")
    .replace(/"finishedAt": ?"[^"]*"/g, "")
    .replace(/"time_per_example": ?[\d.e+-]+/g, "")
    .replace(/"tstamp": ?[\d.e+-]+/g, "");

beforeAll(async () => {
  dir = tempDir();
  writeFileSync(file("prices.json"), JSON.stringify(PRICES));
  const questions = samplePrompts()
    .slice(40, 40 + QUERIES)
    .map((prompt, i) => ({ uid: `q${i}`, category: "hard_prompt", prompt }));
  writeFileSync(file("questions.jsonl"), questions.map((q) => JSON.stringify(q)).join("\n"));
  writeFileSync(
    file("queries.jsonl"),
    questions.map((q) => JSON.stringify({ id: q.uid, prompt: q.prompt })).join("\n"),
  );
  const steps = [
    [
      "batch",
      file("queries.jsonl"),
      "--modes",
      "tpo,bon",
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
    [
      "export",
      file("results.jsonl"),
      "--format",
      "arena-hard",
      "--mode",
      "first:tpo",
      "--model-name",
      "tpo-sim-first",
      "--out",
      file("tpo-sim-first.jsonl"),
    ],
  ];
  for (const args of steps) {
    const result = await run(args, false);
    expect(result.code, result.stderr).toBe(0);
  }
}, 300_000);

/**
 * Runs `args(out, cache)` twice with one cache and two --out files: the first sends `requests`
 * judge requests, the second none, and both write the same verdicts and print the same scores.
 */
async function secondRunFromCache(
  args: (out: string, cache: string) => string[],
  requests: number,
  extension = ".jsonl",
): Promise<{ first: string; second: string }> {
  const cache = file(`cache-${Math.random().toString(36).slice(2)}.sqlite`);
  const [out1, out2] = [1, 2].map((n) => file(`out-${Math.random().toString(36).slice(2)}-${n}${extension}`));
  sim.server.stats.reset();
  const first = await run(args(out1, cache));
  expect(first.code, first.stderr).toBe(0);
  expect(sim.server.stats.count(CHAT)).toBe(requests);

  sim.server.stats.reset();
  const second = await run(args(out2, cache));
  expect(second.code, second.stderr).toBe(0);
  expect(sim.server.stats.count(CHAT)).toBe(0);
  expect(withoutTimes(out2)).toBe(withoutTimes(out1));
  expect(second.stdout).toMatch(
    new RegExp(
      `Cache ${cache.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} answered ${requests} judge requests \\(\\d+ tokens\\): none of them was sent, \\$\\d`,
    ),
  );
  const scores = (text: string, out: string) =>
    text
      .replaceAll(out, "OUT")
      .split("\n")
      .filter((line) => !line.startsWith("Cache "));
  expect(scores(second.stdout, out2)).toEqual(scores(first.stdout, out1));
  expect(first.stdout).toMatch(/Cache .* answered no judge request of this run/);
  return { first: first.stdout, second: second.stdout };
}

describe("the cache under the judges", () => {
  it("tpo compare: a second identical comparison is answered by the cache", async () => {
    let cacheFile = "";
    await secondRunFromCache(
      (out, cache) => [
        "compare",
        file("results.jsonl"),
        "--a",
        "tpo",
        "--b",
        "bon",
        "--out",
        out,
        "--judge-base-url",
        `${sim.server.url}/v1`,
        "--judge-model",
        "tpo-sim",
        "--quiet",
        "--cache",
        (cacheFile = cache),
      ],
      2 * QUERIES,
    );
    const pruned = await run(["cache", "prune", cacheFile, "--older-than", "1h"]);
    expect(pruned.stdout).toContain(`0 responses, 0 scores and ${2 * QUERIES} verdicts left.`);
  }, 300_000);

  it("tpo eval alpaca-eval: a second identical evaluation is answered by the cache", async () => {
    await secondRunFromCache(
      (out, cache) => [
        "eval",
        "alpaca-eval",
        file("results.jsonl"),
        "--mode",
        "tpo",
        "--baseline",
        file("reference.json"),
        "--out",
        out,
        "--quiet",
        "--cache",
        cache,
      ],
      QUERIES,
      ".json",
    );
  }, 300_000);

  it("tpo eval arena-hard: a second identical evaluation is answered by the cache", async () => {
    await secondRunFromCache(
      (out, cache) => [
        "eval",
        "arena-hard",
        file("results.jsonl"),
        "--mode",
        "tpo",
        "--baseline",
        file("tpo-sim-first.jsonl"),
        "--questions",
        file("questions.jsonl"),
        "--out",
        out,
        "--quiet",
        "--cache",
        cache,
      ],
      2 * QUERIES,
    );
  }, 300_000);
});
