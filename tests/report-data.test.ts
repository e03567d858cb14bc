import { describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { queryDataOf, reportDataOf } from "../src/eval/report/drilldown-data.js";
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
