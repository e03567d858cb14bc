import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import type { CompareSummary } from "../src/eval/compare/summary.js";
import type { Judgment } from "../src/eval/compare/judgment.js";
import { startSimServer } from "../src/index.js";
import type { SimServer } from "../src/sim/server.js";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { expectConsistent, expectMirrored } from "./helpers/compare.js";
import { readRecords } from "./helpers/records.js";
import { sampleBatch } from "./helpers/sample-batch.js";

const QUERIES = 12;

let dir: string;
let results: string;
let records: BatchRecord[];
let server: SimServer;

beforeAll(async () => {
  // tpo and best-of-N at the same budget: bon samples N·(D+1) = 9 at once. Its own folder: the
  // temporary ones go after each test.
  ({ dir, results, records } = await sampleBatch(
    QUERIES,
    ["--modes", "tpo,bon", "--width", "3", "--depth", "2"],
    mkdtempSync(join(tmpdir(), "tpo-compare-")),
  ));
  server = await startSimServer();
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  killChildren();
  removeTempDirs();
  server.setFaults([]);
  server.stats.reset();
});

/** `tpo compare <results> --a a --b b --out out …more`. */
function compare(a: string, b: string, out: string, ...more: string[]) {
  return runCliInProcess(["compare", results, "--a", a, "--b", b, "--out", out, ...more]);
}

const httpJudge = () => ["--judge-base-url", `${server.url}/v1`, "--judge-model", "tpo-sim"];

function answers(mode: "tpo" | "bon"): Map<string, BatchRecord> {
  return new Map(records.filter((r) => r.mode === mode).map((r) => [r.id, r]));
}

function readJudgments(path: string): Judgment[] {
  return readRecords(path) as unknown as Judgment[];
}

function between(text: string, open: string, close: string): string {
  return text.slice(text.indexOf(open) + open.length, text.indexOf(close));
}

/** The two responses of each pairwise request the simulated server received, in the order shown. */
function shownPairs(): [string, string][] {
  const bodies = server.stats.bodies["/v1/chat/completions"] as {
    messages: { role: string; content: string }[];
  }[];
  return bodies.map((body) => {
    const user = body.messages.find((m) => m.role === "user")!.content;
    return [
      between(user, "<response_a>\n", "\n</response_a>"),
      between(user, "<response_b>\n", "\n</response_b>"),
    ];
  });
}

describe("tpo compare in the simulated world", () => {
  it("judges every pair in both orders over HTTP, and tpo beats best-of-N at the same budget", async () => {
    const out = join(tempDir(), "compare.jsonl");
    const result = await compare("tpo", "bon", out, "--json", ...httpJudge());
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as CompareSummary;
    expect(Object.keys(summary).sort()).toEqual(
      [
        "a",
        "b",
        "n",
        "wins",
        "losses",
        "ties",
        "winRate",
        "ci95",
        "lengthControlled",
        "judgeRequests",
        "lengths",
        "judge",
      ].sort(),
    );
    expect(summary).toMatchObject({ a: "tpo", b: "bon", n: QUERIES, judgeRequests: 2 * QUERIES });
    expectConsistent(summary);
    expect(summary.ci95[0]).toBeGreaterThan(0.5);

    // Both orders of every pair reached the judge: tpo's answer first, then bon's first.
    const shown = shownPairs();
    expect(shown).toHaveLength(2 * QUERIES);
    const tpo = answers("tpo");
    const bon = answers("bon");
    for (const [id, record] of tpo) {
      expect(shown).toContainEqual([record.best!.text, bon.get(id)!.best!.text]);
      expect(shown).toContainEqual([bon.get(id)!.best!.text, record.best!.text]);
    }

    const judgments = readJudgments(out);
    expect(judgments.map((j) => j.id).sort()).toEqual([...tpo.keys()].sort());
    for (const judgment of judgments) {
      expect(judgment.games.map((g) => g.shownFirst)).toEqual(["a", "b"]);
      expect(judgment.lengths).toEqual({
        a: tpo.get(judgment.id)!.best!.text.length,
        b: bon.get(judgment.id)!.best!.text.length,
      });
      expect(judgment.judge).toEqual({ model: "tpo-sim", baseUrl: `${server.url}/v1` });
    }
  });

  it("mirrors exactly when --a and --b swap, and tpo beats its own first sample (judge in process)", async () => {
    const run = async (a: string, b: string) => {
      const out = join(tempDir(), `${a}-${b}.jsonl`);
      const result = await compare(a, b, out, "--json", "--quiet");
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as CompareSummary;
    };
    const [ab, ba, first] = await Promise.all([run("tpo", "bon"), run("bon", "tpo"), run("tpo", "first")]);
    expectMirrored(ab, ba);
    expectConsistent(ab);
    expect(ab.ci95[0]).toBeGreaterThan(0.5);

    expect(first).toMatchObject({ a: "tpo", b: "first:tpo", n: QUERIES });
    expectConsistent(first);
    expect(first.ci95[0]).toBeGreaterThan(0.5);
  });

  it("resumes: pairs already judged are not asked again, and the result is the same", async () => {
    const work = tempDir();
    const full = join(work, "full.jsonl");
    const whole = await compare("tpo", "bon", full, "--json", ...httpJudge());
    expect(whole.code, whole.stderr).toBe(0);

    // A run that judged 5 pairs and crashed while writing the sixth; the answers of one of the
    // five have changed since (the batch was run again), so that pair is judged again too.
    const lines = readFileSync(full, "utf8").split("\n");
    const stale = { ...(JSON.parse(lines[4]) as Judgment), answers: { a: "0000000000000000", b: "x" } };
    const partial = join(work, "partial.jsonl");
    writeFileSync(
      partial,
      `${[...lines.slice(0, 4), JSON.stringify(stale)].join("\n")}\n${lines[5].slice(0, 40)}`,
    );

    const refused = await compare("tpo", "bon", partial, ...httpJudge());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already has 5 records: pass --resume/);

    server.stats.reset();
    const resumed = await compare("tpo", "bon", partial, "--resume", "--json", ...httpJudge());
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/cut short by a crash/);
    expect(resumed.stderr).toMatch(/1 pairs of .* have other answers now; judging them again/);
    expect(server.stats.count("/v1/chat/completions")).toBe(2 * (QUERIES - 4));
    const judged = readJudgments(partial).map((j) => j.id);
    expect(new Set(judged).size).toBe(QUERIES);
    expect(judged).toHaveLength(QUERIES + 1);
    expect(JSON.parse(resumed.stdout)).toEqual(JSON.parse(whole.stdout));
  });

  it("fails with exit 1 when the judge's verdicts stay invalid, keeping the judgments already written", async () => {
    const out = join(tempDir(), "compare.jsonl");
    // Pairs are judged in order of query id; the third one gets a verdict that is none of A, B, tie.
    const ids = [...answers("tpo").keys()].sort();
    const query = answers("tpo").get(ids[2])!.query!;
    server.setFaults([
      {
        kind: "reply",
        content: JSON.stringify({ rationale: "Both are fine.", verdict: "C" }),
        when: (request) =>
          (request.body as { messages?: { content?: unknown }[] }).messages?.some(
            (m) => typeof m.content === "string" && m.content.includes(query),
          ) ?? false,
      },
    ]);
    const args = ["compare", results, "--a", "tpo", "--b", "bon", "--out", out, "--concurrency", "1"];
    const failed = await runCliInProcess([...args, "--max-retries", "1", ...httpJudge()]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(
      new RegExp(`pair ${ids[2]}: the judge tpo-sim gave no valid verdict \\(A, B or tie\\) in 2 attempts`),
    );
    expect(failed.stderr).toMatch(/2 of 12 pairs are judged in .*compare\.jsonl; run again with --resume/);
    expect(readJudgments(out).map((j) => j.id)).toEqual(ids.slice(0, 2));

    server.setFaults([]);
    const resumed = await runCliInProcess([...args, "--resume", "--json", ...httpJudge()]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ n: QUERIES, judgeRequests: 2 * QUERIES });
  });

  it("matches two files by query id, reports the ids on one side only, and refuses bad input with exit 2", async () => {
    const work = tempDir();
    const out = join(work, "compare.jsonl");
    // A second run whose first four queries carry other ids.
    const renamed = new Set([...answers("tpo").keys()].sort().slice(0, 4));
    const other = join(work, "other.jsonl");
    writeFileSync(
      other,
      records.map((r) => `${JSON.stringify(renamed.has(r.id) ? { ...r, id: `x-${r.id}` } : r)}\n`).join(""),
    );
    const two = await runCliInProcess([
      "compare",
      results,
      other,
      "--a",
      "tpo",
      "--b",
      "bon",
      "--out",
      out,
      "--json",
    ]);
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({
      a: `tpo@${results}`,
      b: `bon@${other}`,
      n: QUERIES - 4,
    });
    expect(two.stderr).toMatch(/4 ids have an answer on side a \(tpo@.*\) only, left out/);
    expect(two.stderr).toMatch(/4 ids have an answer on side b \(bon@.*\) only, left out: x-/);

    const disjoint = join(work, "disjoint.jsonl");
    writeFileSync(disjoint, records.map((r) => `${JSON.stringify({ ...r, id: `y-${r.id}` })}\n`).join(""));
    const fresh = join(work, "fresh.jsonl");
    const [none, noMode, badSide, otherSides] = await Promise.all([
      runCliInProcess(["compare", results, disjoint, "--a", "tpo", "--b", "tpo", "--out", fresh]),
      compare("tpo", "revision", fresh),
      compare("tpo", "best", fresh),
      runCliInProcess(["compare", results, other, "--a", "bon", "--b", "tpo", "--out", out, "--resume"]),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/tpo: No query has an answer on both sides/);
    expect(noMode.code).toBe(2);
    expect(noMode.stderr).toMatch(
      /--b revision: .*results\.jsonl has no records of mode revision \(it has tpo, bon\)/,
    );
    expect(badSide.code).toBe(2);
    expect(badSide.stderr).toMatch(/--b must be a mode \(tpo, revision, bon\) or first/);
    expect(otherSides.code).toBe(2);
    expect(otherSides.stderr).toMatch(/holds a comparison of tpo@.* vs bon@.*, not of bon@/);
    expect(existsSync(fresh)).toBe(false);
  });

  it("shows in tpo report", async () => {
    const work = tempDir();
    const file = join(work, "compare.jsonl");
    const judged = await compare("tpo", "first", file, "--quiet");
    expect(judged.code, judged.stderr).toBe(0);
    expect(judged.stdout).toMatch(/^tpo\s+first:tpo\s+12\s/m);
    expect(judged.stdout).toMatch(/Simulated world/);
    const html = join(work, "report.html");
    const report = await runCliInProcess(["report", results, "--compare", file, "--out", html]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^tpo\s+first:tpo\s+12\s/m);
    const page = readFileSync(html, "utf8");
    expect(page).toContain('<table id="compare">');
    expect(page).toMatch(/<td>tpo<\/td><td>first:tpo<\/td><td>12<\/td>/);
    expect(page).toContain('id="compare-simulated"');
  });
});
