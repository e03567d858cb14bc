import { describe, expect, it } from "vitest";
import { mergeHistory, type HistoryRecord } from "../src/state/state.js";
import { officialEntries } from "../src/eval/export/reference-format.js";
import { BatchProgress } from "../src/cli/batch/progress-bar.js";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { summarize, summaryView } from "../src/eval/batch/summary.js";
import { formatSummary } from "../src/cli/batch/summary-text.js";
import { lineChartSvg } from "../src/eval/report/line-chart.js";
import { reportHtml } from "../src/eval/report/html.js";
import { iterationLine } from "../src/cli/iteration-line.js";

function history(iteration: number, bestSoFar: number, newMean: number): HistoryRecord {
  const scores = { min: newMean - 1, mean: newMean, max: newMean + 1 };
  const patch = {
    iteration,
    candidates: 2,
    // One update output of each update came without the response tags.
    untagged: iteration > 0 ? 1 : 0,
    scores,
    bestSoFar,
    sampling: "n",
    usage: { promptTokens: 10, completionTokens: 5, nodeMs: { update: 1 } },
  };
  return mergeHistory([], [patch])[0];
}

function record(id: string, mode: "tpo" | "bon", scores: [number, number][], requests: number): BatchRecord {
  const best = scores.at(-1)![0];
  return {
    id,
    mode,
    query: `query ${id}`,
    settings: {
      width: 2,
      depth: scores.length - 1,
      mode,
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 10,
      sampling: "auto",
      criticTemperature: 0,
      criticTopP: 0.99,
      criticMaxTokens: 10,
      untaggedRewrites: "drop",
      criticLayout: "separate",
      seedScheme: "spread",
    },
    models: { backend: "sim" },
    best: { text: `answer ${id}`, score: best, iteration: scores.length - 1 },
    history: scores.map(([b, n], i) => history(i, b, n)),
    pool: [
      { id: "1", text: `first ${id}`, score: 1, iteration: 0, origin: "sample" },
      { id: "2", text: `updated ${id}`, score: best, iteration: scores.length - 1, origin: "update" },
    ],
    usage: {
      modelRequests: requests,
      promptTokens: 10,
      cachedPromptTokens: 0,
      completionTokens: 20,
      rewardRequests: 1,
      nodeMs: {},
    },
    elapsedMs: 2000,
    finishedAt: "2026-01-01T00:00:00.000Z",
  };
}

const records: BatchRecord[] = [
  record(
    "a",
    "tpo",
    [
      [4, 3],
      [6, 5],
      [8, 7],
    ],
    7,
  ),
  record(
    "b",
    "tpo",
    [
      [2, 1],
      [4, 3],
      [6, 5],
    ],
    7,
  ),
  record("a", "bon", [[5, 3]], 1),
  {
    id: "c",
    mode: "tpo",
    query: "query c",
    elapsedMs: 5,
    error: { message: "the reward step failed" },
    finishedAt: "x",
  },
  {
    id: "line-9",
    mode: null,
    query: null,
    elapsedMs: 0,
    error: { message: "invalid JSON" },
    finishedAt: "x",
  },
];

describe("batch summary", () => {
  it("averages the best and the new candidates' reward per mode and iteration", () => {
    const summary = summarize(records);
    expect(summary.modes.map((m) => m.mode)).toEqual(["tpo", "bon"]);
    const tpo = summary.modes[0];
    // Length: characters of the pool's best once the iteration was scored ("first a", then "updated a").
    // Tokens: spent up to and including the iteration, 15 in each. Money: none, the records carry no price.
    expect(tpo.iterations).toEqual([
      { iteration: 0, queries: 2, meanBest: 3, meanNew: 2, meanLength: 7, meanTokens: 15, meanCostUsd: null },
      { iteration: 1, queries: 2, meanBest: 5, meanNew: 4, meanLength: 7, meanTokens: 30, meanCostUsd: null },
      { iteration: 2, queries: 2, meanBest: 7, meanNew: 6, meanLength: 9, meanTokens: 45, meanCostUsd: null },
    ]);
    expect(tpo).toMatchObject({
      queries: 2,
      failed: 1,
      requestsPerQuery: 7,
      untaggedPerQuery: 2,
      tokensPerQuery: 30,
      secondsPerQuery: 2,
      meanFinalBest: 7,
    });
    expect(summary.inputErrors).toBe(1);
    const text = formatSummary(summary);
    expect(text).toMatch(/^mode\s+iteration\s+queries\s+mean best\s+mean new\s+length\s+tokens$/m);
    expect(text).toMatch(/^tpo\s+2\s+2\s+7\.00\s+6\.00\s+9\s+45$/m);
    expect(text).toMatch(/untagged\/q/);
    expect(text).toMatch(/^tpo\s+2\s+2\s+2\s+1\s+7\.00\s+7\.0\s+2\.0\s/m);
    expect(text).toMatch(/^bon\s+0\s+1\s+5\.00\s+3\.00\s+9\s+15$/m);
    expect(text).toContain("Simulated world");
  });

  it("counts answer lengths in characters as Python's len() does, and money only when every record was priced", () => {
    const priced = (r: BatchRecord, costUsd: number): BatchRecord => ({
      ...r,
      history: r.history!.map((h) => ({ ...h, usage: { ...h.usage, costUsd } })),
    });
    const emoji = (r: BatchRecord): BatchRecord => ({
      ...r,
      pool: r.pool!.map((c) => ({ ...c, text: c.text.replace("first", "😀") })),
    });
    const tpo = summarize([priced(emoji(records[0]), 0.25), priced(records[1], 0.5)]).modes[0];
    expect(tpo.iterations.map((it) => it.meanLength)).toEqual([5, 5, 9]);
    expect(tpo.iterations.map((it) => it.meanCostUsd)).toEqual([0.375, 0.75, 1.125]);
    const half = summarize([priced(records[0], 0.25), records[1]]).modes[0];
    expect(half.iterations.map((it) => it.meanCostUsd)).toEqual([null, null, null]);
  });

  it("keeps in its light view of a record what the lengths need: each iteration's best, not the whole pool", () => {
    const full = records[0];
    const view = summaryView(full);
    expect(view.pool!.map((c) => c.id)).toEqual(["1", "2"]);
    const wide: BatchRecord = {
      ...full,
      pool: [...full.pool!, { id: "3", text: "never the best", score: 0, iteration: 1, origin: "update" }],
    };
    expect(summaryView(wide).pool!.map((c) => c.id)).toEqual(["1", "2"]);
    expect(summarize([summaryView(wide)]).modes[0].iterations).toEqual(summarize([wide]).modes[0].iterations);
  });

  it("counts the queries per stop reason and where they stopped, in the text and on the page", () => {
    const stopped: BatchRecord[] = [
      { ...records[0], stopReason: "patience", stoppedAt: 1 },
      { ...records[1], stopReason: "patience", stoppedAt: 2 },
      { ...records[2], stopReason: "depth", stoppedAt: 0 },
    ];
    const summary = summarize(stopped);
    expect(summary.modes.map((m) => m.stops)).toEqual([
      [{ reason: "patience", queries: 2, meanStoppedAt: 1.5 }],
      [{ reason: "depth", queries: 1, meanStoppedAt: 0 }],
    ]);
    expect(formatSummary(summary)).toMatch(/^tpo\s+patience\s+2\s+1\.5$/m);
    expect(reportHtml(summary, "x")).toContain("<td>tpo</td><td>patience</td><td>2</td><td>1.5</td>");
  });

  it("writes the reference implementation's keys: INDEX-1 for first samples, INDEX{k-1} for update k", () => {
    const official = officialEntries(records);
    expect(official).toHaveLength(3);
    expect(official[0]).toEqual({
      "INDEX-1<SEP>query a<SEP>first a": 1,
      "INDEX1<SEP>query a<SEP>updated a": 8,
    });
  });
});

describe("report page", () => {
  it("draws one line per iteration series and a dashed reference for best-of-N", () => {
    const svg = lineChartSvg({
      id: "c",
      title: "T",
      xLabel: "iteration",
      yLabel: "reward",
      series: [
        {
          name: "tpo",
          points: [
            [0, 1],
            [1, 2],
            [2, 3],
          ],
          color: "#000",
        },
        { name: "bon", points: [[0, 2]], color: "#111", flat: true },
      ],
    }).markup;
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toMatch(/data-series="bon"[^>]*stroke-dasharray/);
    expect(svg).toContain('<text class="series-label" data-series="tpo"');
  });

  it("escapes what the data says", () => {
    const html = reportHtml(summarize(records), "<results>.jsonl");
    expect(html).toContain("&lt;results&gt;.jsonl");
    expect(html).not.toContain("<results>");
  });
});

describe("batch progress", () => {
  it("shows done/total, failures, rate, ETA and mean best so far", () => {
    const lines: string[] = [];
    const progress = new BatchProgress(3, { tty: false, write: (t) => lines.push(t) });
    progress.complete("tpo", 8);
    progress.complete("tpo", 6);
    progress.complete("tpo", null);
    progress.stop();
    expect(lines.at(-1)).toMatch(/^tpo batch: 3\/3 · 1 failed · [\d.]+\/s · ETA 0s · mean best tpo 7\.00\n$/);
  });
});

describe("tpo run's progress line", () => {
  it("says how many rewrites of the iteration had no response tags", () => {
    const record = { ...history(1, 5, 4), untagged: 3 };
    expect(iterationLine(record, 2)).toContain("3 untagged rewrites");
    expect(iterationLine(history(0, 5, 4), 2)).not.toContain("untagged");
  });
});
