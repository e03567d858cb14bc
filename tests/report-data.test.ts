import { describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { summarize } from "../src/eval/batch/summary.js";
import { costCurveOf } from "../src/eval/report/cost-curve.js";
import { queryDataOf, reportDataOf } from "../src/eval/report/drilldown-data.js";
import { reportHtml } from "../src/eval/report/html.js";
import { decodeRows, encodeRows, storyChunks } from "../src/web/report-data.js";

const candidate = (id: string, score: number | null, iteration: number) => ({
  id,
  text: `text ${id}`,
  score,
  iteration,
  origin: iteration === 0 ? "sample" : "update",
});

const record = {
  id: "q1",
  mode: "tpo",
  query: "How?",
  settings: { width: 2, depth: 1, mode: "tpo", untaggedRewrites: "drop" },
  best: { text: "text c", score: 9, iteration: 1 },
  pool: [candidate("a", 5, 0), candidate("b", 3, 0), candidate("c", 9, 1), candidate("d", null, 1)],
  history: [
    { iteration: 0, chosen: null, rejected: null, critique: null, gradient: null, bestSoFar: 5, untagged: 0 },
    {
      iteration: 1,
      chosen: { id: "a", score: 5 },
      rejected: { id: "b", score: 3 },
      critique: "better",
      gradient: "add",
      bestSoFar: 9,
      untagged: 1,
      usage: { modelRequests: 3, promptTokens: 10, completionTokens: 5 },
    },
  ],
  usage: { modelRequests: 4, promptTokens: 20, completionTokens: 30 },
  stopReason: "depth",
  stoppedAt: 1,
  elapsedMs: 12,
  finishedAt: "x",
} as unknown as BatchRecord;

describe("the report's data: each record as its row and its story", () => {
  it("takes the table's figures and each iteration's best from the record", () => {
    const { row, detail } = queryDataOf(record);
    expect(row).toMatchObject({ id: "q1", mode: "tpo", first: 5, best: 9, gain: 4, bestIteration: 1 });
    expect(row).toMatchObject({ stopReason: "depth", requests: 4, tokens: 50, error: null });
    expect(detail.history.map((h) => h.bestId)).toEqual(["a", "c"]);
    expect(detail.history[1]).toMatchObject({
      chosen: "a",
      rejected: "b",
      untagged: 1,
      requests: 3,
      tokens: 15,
    });
    expect(detail.answer).toEqual({ pool: 2, score: 9, iteration: 1 });
  });

  it("carries a query's and an iteration's cost when the record has one, through the page's rows block", () => {
    const [first, second] = record.history!;
    const priced = {
      ...record,
      usage: { ...record.usage, costUsd: 0.0431 },
      history: [first, { ...second, usage: { ...second.usage, costUsd: 0.03 } }],
    } as BatchRecord;
    const { row, detail } = queryDataOf(priced);
    expect(row.costUsd).toBe(0.0431);
    expect(detail.history.map((h) => h.costUsd)).toEqual([null, 0.03]);
    expect(queryDataOf(record).row.costUsd).toBeNull();
    const rows = reportDataOf([priced, record], []).rows;
    expect(decodeRows(encodeRows(rows)).queries.map((q) => q.costUsd)).toEqual([0.0431, null]);
  });

  it("keeps text as strings and numbers as finite numbers, whatever a crafted file holds", () => {
    const crafted = {
      ...record,
      id: 7,
      mode: { evil: true },
      stopReason: ["<b>"],
      usage: { modelRequests: "<img>", promptTokens: Infinity },
      pool: [{ id: "a", text: 5 }, candidate("b", "9" as unknown as number, 0), null],
      history: [{ iteration: "0" }, { iteration: 0, critique: 5, bestSoFar: "<svg>" }],
      best: { text: "<x>", score: "1", iteration: NaN },
      elapsedMs: "1",
    } as unknown as BatchRecord;
    const { row, detail } = queryDataOf(crafted);
    expect(row).toMatchObject({
      id: "",
      mode: "-",
      stopReason: null,
      requests: null,
      tokens: null,
      best: null,
    });
    expect(detail.pool).toEqual([{ ...candidate("b", null, 0) }]);
    expect(detail.history).toHaveLength(1);
    expect(detail.history[0]).toMatchObject({ critique: null, bestSoFar: null });
    expect(detail.answer).toEqual({ text: "<x>", score: null, iteration: null });
    expect(detail.ms).toBeNull();
  });

  it("shares settings by index and chunks the stories as JSON lines", () => {
    const other = { ...record, id: "q2", settings: { ...record.settings, width: 3 } } as BatchRecord;
    const { rows, stories } = reportDataOf([record, other, { ...record, id: "q3" } as BatchRecord], []);
    expect(rows.settings).toHaveLength(2);
    expect(stories.map((s) => s.settings)).toEqual([0, 1, 0]);
    const chunks = storyChunks(stories, 2);
    expect(chunks).toHaveLength(2);
    expect(chunks[0].split("\n").map((line) => JSON.parse(line))).toEqual(stories.slice(0, 2));
  });
});

describe("the rows block", () => {
  it("holds the rows as columns, each text once, and gives them back as they were", () => {
    const failed = { id: "q9", mode: "tpo", query: "How?", error: { message: "boom" }, finishedAt: "x" };
    const records = [record, { ...record, mode: "bon" } as BatchRecord, failed as unknown as BatchRecord];
    const { rows } = reportDataOf(records, []);
    const block = encodeRows(rows);
    expect(block.texts.filter((t) => t === "How?")).toHaveLength(1);
    expect(block.text.error).toEqual([-1, -1, block.texts.indexOf("boom")]);
    expect(decodeRows(JSON.parse(JSON.stringify(block)))).toEqual(rows);
  });

  it("keeps scores to four decimals, and the gain from them", () => {
    const precise = { ...record, best: { ...record.best, score: 9.123456789 } } as BatchRecord;
    expect(queryDataOf(precise).row).toMatchObject({ best: 9.1235, gain: 4.1235 });
  });
});

describe("the cost-versus-quality curve", () => {
  const usage = (tokens: number, costUsd?: number) => ({
    modelRequests: 1,
    promptTokens: tokens,
    cachedPromptTokens: 0,
    completionTokens: 0,
    rewardRequests: 1,
    nodeMs: {},
    ...(costUsd === undefined ? {} : { costUsd }),
  });
  const step = (iteration: number, bestSoFar: number, tokens: number, costUsd?: number) => ({
    iteration,
    chosen: null,
    rejected: null,
    critique: null,
    gradient: null,
    candidates: 2,
    scores: null,
    bestSoFar,
    untagged: 0,
    failures: 0,
    sampling: null,
    elapsedMs: 0,
    usage: usage(tokens, costUsd),
  });
  const settings = (mode: string, width: number, depth: number) =>
    ({ width, depth, mode, untaggedRewrites: "drop" }) as unknown as BatchRecord["settings"];
  // tpo at N=2, D=2: 100 tokens for the first samples, 200 for each iteration (critique, gradient, rewrites).
  const tpo = (id: string, bests: number[], costUsd?: number): BatchRecord => ({
    id,
    mode: "tpo",
    query: id,
    settings: settings("tpo", 2, 2),
    best: { text: "x", score: bests.at(-1)!, iteration: 2 },
    history: bests.map((b, k) => step(k, b, k === 0 ? 100 : 200, costUsd)),
    pool: [],
    usage: usage(500),
    elapsedMs: 1,
    finishedAt: "x",
  });
  // best-of-N at the same candidate budget, N·(D+1) = 6 samples for 300 tokens: 50 a sample.
  const bon = (id: string, scores: number[], costUsd?: number): BatchRecord => ({
    id,
    mode: "bon",
    query: id,
    settings: settings("bon", 6, 0),
    best: { text: "x", score: Math.max(...scores), iteration: 0 },
    history: [step(0, Math.max(...scores), 300, costUsd)],
    pool: scores.map((score, i) => ({
      id: `${id}${i}`,
      text: `s${i}`,
      score,
      iteration: 0,
      origin: "sample",
    })),
    usage: usage(300),
    elapsedMs: 1,
    finishedAt: "x",
  });

  it("puts each mode's mean best after each iteration against the mean tokens spent by then", () => {
    const records = [
      tpo("q1", [3, 5, 6]),
      tpo("q2", [1, 4, 8]),
      bon("q1", [1, 5, 2, 7, 3, 4]),
      bon("q2", [2, 1, 6, 3, 9, 0]),
    ];
    const curve = costCurveOf(records, summarize(records));
    expect(curve.map((s) => s.mode)).toEqual(["tpo", "bon"]);
    expect(curve[0]!.points.map((p) => [p.iteration, p.meanTokens, p.meanBest])).toEqual([
      [0, 100, 2],
      [1, 300, 4.5],
      [2, 500, 7],
    ]);
    // bon at tpo's spends: 100 tokens buy 2 samples (best 5 and 2), then its own point, all 6 (7 and 9);
    // 300 is its own spend, and 500 more than it spent.
    expect(curve[1]!.points.map((p) => [p.samples, p.meanTokens, p.meanBest])).toEqual([
      [2, 100, 3.5],
      [6, 300, 8],
    ]);
    expect(curve.flatMap((s) => s.points.map((p) => p.meanCostUsd))).toEqual([null, null, null, null, null]);
  });

  it("says what the points cost in USD when every record carries usage.costUsd", () => {
    const records = [tpo("q1", [3, 5, 6], 0.01), bon("q1", [1, 5, 2, 7, 3, 4], 0.03)];
    const curve = costCurveOf(records, summarize(records));
    expect(curve[0]!.points.map((p) => p.meanCostUsd)).toEqual([0.01, 0.02, 0.03]);
    expect(curve[1]!.points.map((p) => p.meanCostUsd)).toEqual([0.01, 0.03]);
  });

  it("draws it on the report page, with its simulation note, and a USD chart only when priced", () => {
    const records = [tpo("q1", [3, 5, 6]), bon("q1", [1, 5, 2, 7, 3, 4])].map((r) => ({
      ...r,
      models: { backend: "sim" },
    }));
    const page = (rs: BatchRecord[]) =>
      reportHtml(summarize(rs), "r.jsonl", [], undefined, costCurveOf(rs, summarize(rs)));
    const html = page(records);
    const chart = /<svg id="chart-cost"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    expect(chart).toContain('<polyline class="series" data-series="tpo"');
    expect(chart).toMatch(/<polyline class="series" data-series="bon \(N=6\)"[^>]*stroke-dasharray/);
    expect(chart).toContain("<title>bon (N=6), 2 samples: 5.000</title>");
    expect(chart).toContain("<title>tpo, iteration 2: 6.000</title>");
    expect(html).toContain('id="cost-simulated"');
    expect(html).not.toContain('id="chart-cost-usd"');
    const priced = [tpo("q1", [3, 5, 6], 0.01), bon("q1", [1, 5, 2, 7, 3, 4], 0.03)];
    expect(page(priced)).toContain('<svg id="chart-cost-usd"');
  });
});
