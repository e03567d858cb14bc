import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import type { Judgment } from "../src/eval/compare/judgment.js";
import type { CompareSummary } from "../src/eval/compare/summary.js";
import { startSimServer } from "../src/index.js";
import type { SimServer } from "../src/sim/server.js";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { readRecords } from "./helpers/records.js";
import { sampleBatch } from "./helpers/sample-batch.js";

const QUERIES = 4;

let dir: string;
let results: string;
let records: BatchRecord[];
let server: SimServer;

beforeAll(async () => {
  ({ dir, results, records } = await sampleBatch(QUERIES));
  server = await startSimServer();
});

afterAll(async () => {
  await server?.close();
  removeTempDirs();
});

afterEach(() => {
  killChildren();
  server.setFaults([]);
  server.stats.reset();
});

const httpJudge = () => ["--judge-base-url", `${server.url}/v1`, "--judge-model", "tpo-sim"];
const lines = (list: unknown[]) => list.map((value) => `${JSON.stringify(value)}\n`).join("");
const judgeBodies = () =>
  (server.stats.bodies["/v1/chat/completions"] ?? []) as { max_tokens?: number; messages: unknown[] }[];

describe("tpo compare and the judge's server", () => {
  it("never sends a request, nor the user's key, to a server named in a results file", async () => {
    const foreign = join(tempDir(), "foreign.jsonl");
    const models = { backend: "openai", model: "tpo-sim", baseUrl: `${server.url}/v1` };
    writeFileSync(foreign, lines(records.map((r) => ({ ...r, models }))));
    const out = join(tempDir(), "c.jsonl");
    const args = ["compare", foreign, "--a", "tpo", "--b", "first", "--out", out];
    const [plain, backendOnly] = await Promise.all([
      runCliInProcess(args, { env: { TPO_BACKEND: undefined, OPENAI_API_KEY: "sk-secret" } }),
      runCliInProcess(args, { env: { TPO_BACKEND: "openai", OPENAI_API_KEY: "sk-secret" } }),
    ]);
    for (const result of [plain, backendOnly]) {
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/never sends requests to a server named in a file: .*--judge-base-url/);
    }
    expect(server.stats.count("/v1/chat/completions")).toBe(0);
    expect(existsSync(out)).toBe(false);

    // Named by the user, the same server judges.
    const named = await runCliInProcess([...args, ...httpJudge(), "--quiet"], {
      env: { TPO_BACKEND: undefined, OPENAI_API_KEY: "sk-secret" },
    });
    expect(named.code, named.stderr).toBe(0);
    expect(server.stats.count("/v1/chat/completions")).toBe(2 * QUERIES);
  });
});

describe("tpo compare's judge requests", () => {
  it("bound the judge's output, cut what is stored of a rationale, and retry a body that is not JSON", async () => {
    const work = tempDir();
    server.setFaults([{ kind: "malformed", times: 1 }]);
    const out = join(work, "c.jsonl");
    const judged = await runCliInProcess([
      "compare",
      results,
      "--a",
      "tpo",
      "--b",
      "first",
      "--out",
      out,
      "--json",
      "--concurrency",
      "1",
      ...httpJudge(),
    ]);
    expect(judged.code, judged.stderr).toBe(0);
    const summary = JSON.parse(judged.stdout) as CompareSummary;
    // The client retried the unreadable answer (as a 5xx): one request more reached the server,
    // none more was asked of the judge.
    expect(summary).toMatchObject({ n: QUERIES, judgeRequests: 2 * QUERIES });
    expect(judgeBodies()).toHaveLength(2 * QUERIES + 1);
    expect(new Set(judgeBodies().map((b) => b.max_tokens))).toEqual(new Set([1024]));

    server.stats.reset();
    const long = "Both answers are fine. ".repeat(5000);
    server.setFaults([
      { kind: "reply", content: JSON.stringify({ rationale: long, verdict: "tie" }), times: 1 },
    ]);
    const capped = await runCliInProcess([
      "compare",
      results,
      "--a",
      "tpo",
      "--b",
      "first",
      "--out",
      join(work, "d.jsonl"),
      "--judge-max-tokens",
      "300",
      "--quiet",
      ...httpJudge(),
    ]);
    expect(capped.code, capped.stderr).toBe(0);
    expect(new Set(judgeBodies().map((b) => b.max_tokens))).toEqual(new Set([300]));
    const rationales = readRecords(join(work, "d.jsonl")).flatMap((j) =>
      (j as unknown as Judgment).games.map((g) => g.rationale),
    );
    expect(Math.max(...rationales.map((r) => r.length))).toBeLessThanOrEqual(4000);
    expect(rationales.some((r) => r.startsWith("Both answers are fine.") && r.endsWith("…"))).toBe(true);
  });
});

describe("tpo compare's file", () => {
  it("is locked while a compare writes it", async () => {
    const out = join(tempDir(), "c.jsonl");
    writeFileSync(
      `${out}.lock`,
      `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" })}\n`,
    );
    const result = await runCliInProcess(["compare", results, "--a", "tpo", "--b", "first", "--out", out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`--out .*c\\.jsonl is being written by another tpo .*PID ${process.pid}`),
    );
    expect(existsSync(out)).toBe(false);
  });

  it("holds one judge: resuming with another is refused naming it, unless allowed, and then kept apart", async () => {
    const out = join(tempDir(), "c.jsonl");
    const base = ["compare", results, "--a", "tpo", "--b", "first", "--out", out];
    const first = await runCliInProcess([...base, "--quiet"]); // judged in process
    expect(first.code, first.stderr).toBe(0);
    const kept = readFileSync(out, "utf8").split("\n").slice(0, 2).join("\n");
    writeFileSync(out, `${kept}\n`);

    const refused = await runCliInProcess([...base, "--resume", ...httpJudge()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /judged by tpo-sim \(the simulated world, in process\), not by tpo-sim at http/,
    );
    expect(refused.stderr).toMatch(/--allow-mixed-judges/);
    expect(server.stats.count("/v1/chat/completions")).toBe(0);

    const mixed = await runCliInProcess([
      ...base,
      "--resume",
      "--allow-mixed-judges",
      "--json",
      ...httpJudge(),
    ]);
    expect(mixed.code, mixed.stderr).toBe(0);
    const summaries = mixed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as CompareSummary & { judge: string });
    expect(summaries.map((s) => [s.judge, s.n, s.judgeRequests])).toEqual([
      ["tpo-sim (the simulated world, in process)", 2, 4],
      [`tpo-sim at ${server.url}/v1`, QUERIES - 2, 2 * (QUERIES - 2)],
    ]);
    const table = await runCliInProcess([...base, "--resume", "--allow-mixed-judges", ...httpJudge()]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/Judge: tpo-sim \(the simulated world, in process\), 4 requests/);
    expect(table.stdout).toMatch(/Judge: tpo-sim at http.*, 4 requests/);
  });

  it("defaults to a file beside the results, named in the output", async () => {
    const result = await runCliInProcess(["compare", results, "--a", "tpo", "--b", "first", "--quiet"]);
    expect(result.code, result.stderr).toBe(0);
    const beside = join(dir, "results.tpo-vs-first-tpo.jsonl");
    expect(result.stderr).toContain(`judgments go to ${beside}`);
    expect(readRecords(beside)).toHaveLength(QUERIES);
    // Run again without --resume: refused, in one line, without first announcing the file.
    const again = await runCliInProcess(["compare", results, "--a", "tpo", "--b", "first", "--quiet"]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split("\n")).toEqual([expect.stringContaining(beside)]);
    expect(again.stderr).not.toContain("judgments go to");
  });

  it("escapes control characters of the ids it lists", async () => {
    const other = join(tempDir(), "other.jsonl");
    writeFileSync(other, lines(records.map((r, i) => (i === 0 ? { ...r, id: "x\u001b]0;pwned\u0007" } : r))));
    const result = await runCliInProcess([
      "compare",
      results,
      other,
      "--a",
      "tpo",
      "--b",
      "tpo",
      "--out",
      join(tempDir(), "c.jsonl"),
      "--quiet",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("x\\u001b]0;pwned\\u0007");
    // eslint-disable-next-line no-control-regex
    expect(result.stderr + result.stdout).not.toMatch(/[\u001b\u0007]/);
  });
});
