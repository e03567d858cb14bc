import { describe, expect, it } from "vitest";
import { queueJobOf, refusedRecordOf } from "../src/batch/queue-jobs.js";
import { OutModels } from "../src/eval/batch/models-check.js";
import { BatchRecordSchema } from "../src/eval/batch/record.js";
import { capFlags, MCP_FLAGS, SERVE_FLAGS } from "../src/cli/flag-tables.js";
import { jobDataOf, readJobData } from "../src/queue/job.js";
import { admitJob } from "../src/queue/refuse.js";
import { DEFAULT_RUN_CAPS, settingsOverCaps } from "../src/settings/caps.js";
import { parseTpoContext } from "../src/settings/run-settings.js";

const data = queueJobOf(
  {
    item: { id: "q1", source: "line 1", input: { query: "Why?" } },
    mode: "tpo",
    context: parseTpoContext({ width: 2, depth: 1 }),
  },
  "d",
);
const json = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
const refusal = (value: unknown) => {
  const read = readJobData(value);
  return "refused" in read ? read.refused : null;
};

describe("a worker's door", () => {
  it("lets a job of this version in, as it was enqueued", () => {
    expect(readJobData(json)).toEqual({ data });
    expect(admitJob(json, DEFAULT_RUN_CAPS)).toEqual({ data });
  });

  it("refuses a newer version's job, telling to upgrade the workers", () => {
    expect(refusal({ ...json, v: 2 })).toBe(
      "it was enqueued by a newer langgraph-tpo (job version 2; this worker reads version 1): upgrade the workers",
    );
    expect(refusal({ v: 2 })).toMatch(/upgrade the workers$/);
  });

  it("refuses data that is not a job, saying what is wrong with it in one line", () => {
    expect(refusal(null)).toBe("its data is null, not a job");
    expect(refusal("garbage")).toBe("its data is a string, not a job");
    expect(refusal([1])).toBe("its data is a list, not a job");
    const { id: _id, ...noId } = json;
    expect(refusal(noId)).toMatch(/^its data is not a job this worker can read \(id: .*\)$/);
    expect(refusal({ ...json, v: 0 })).toMatch(/^its data is not a job this worker can read \(v: /);
    expect(refusal({ ...json, mode: "best" })).toMatch(/\(mode: /);
    expect(refusal({ ...json, input: { text: "hi" } })).toMatch(/\(input: /);
    expect(refusal({ ...json, settings: null })).toMatch(/\(settings: /);
    expect(refusal({ ...json, settings: { width: "wide" } })).toMatch(
      /^its run settings do not parse \(Invalid TPO setting "width"/,
    );
    for (const value of [null, "garbage", noId, { ...json, settings: { width: 0 } }]) {
      expect(refusal(value)).not.toContain("\n");
      expect(jobDataOf(value)).toBeNull();
    }
  });

  it("refuses settings above the worker's caps, naming each and its flag", () => {
    const big = { ...json, settings: parseTpoContext({ width: 64, depth: 6, maxTokens: 4096 }) };
    expect(admitJob(big, { maxWidth: 20, maxDepth: 5, maxTokens: 4096 })).toEqual({
      refused:
        "width 64 is more than this worker allows: at most 20 (tpo worker --max-width); " +
        "depth 6 is more than this worker allows: at most 5 (tpo worker --max-depth)",
    });
    expect(admitJob(big, { maxWidth: 64, maxDepth: 6, maxTokens: 4096 })).toHaveProperty("data");
    expect(admitJob({ ...json, v: 2 }, DEFAULT_RUN_CAPS)).toHaveProperty("refused");
  });
});

describe("the caps of serve, mcp and worker", () => {
  it("are one definition: the same settings, bounds and flags", () => {
    expect(
      settingsOverCaps({ width: 21, depth: 5, maxTokens: 4096, criticMaxTokens: 4097 }, DEFAULT_RUN_CAPS),
    ).toEqual([
      { field: "width", value: 21, cap: 20, flag: "--max-width" },
      { field: "criticMaxTokens", value: 4097, cap: 4096, flag: "--max-tokens" },
    ]);
    const caps = (rows: readonly (readonly [string, string, string?])[]) =>
      rows
        .filter(([flag]) => /^--max-(width|depth|tokens) /.test(flag))
        .map(([flag, , fallback]) => [flag, fallback]);
    const worker = caps(capFlags("a job", "maxTokens"));
    expect(worker).toEqual([
      ["--max-width <n>", "20"],
      ["--max-depth <n>", "5"],
      ["--max-tokens <n>", "4096"],
    ]);
    expect(caps(SERVE_FLAGS)).toEqual(worker);
    expect(caps(MCP_FLAGS)).toEqual(worker);
  });
});

describe("a refused job's record", () => {
  it("is a batch's failure record, with the mode only when it is one", () => {
    const label = { jobId: "j", key: "d:tpo:q1:f", id: "q1", mode: "tpo", dataset: "d" };
    const record = refusedRecordOf(label, "refused by a worker: upgrade the workers");
    expect(BatchRecordSchema.parse(record)).toEqual(record);
    expect(record).toMatchObject({
      id: "q1",
      mode: "tpo",
      query: null,
      error: { message: "refused by a worker: upgrade the workers" },
    });
    expect(refusedRecordOf({ ...label, mode: "best" }, "x").mode).toBeNull();
    expect(refusedRecordOf({ ...label, mode: null }, "x").mode).toBeNull();
  });
});

describe("the models of a queue batch's --out", () => {
  const context = parseTpoContext({ width: 2, depth: 1 });
  const contexts = new Map([["tpo" as const, context]]);
  const record = (id: string, model: string | null) => ({
    id,
    mode: "tpo" as const,
    query: "q",
    settings: context,
    ...(model === null
      ? {}
      : { models: { backend: "openai", model, baseUrl: `http://${model}.example/v1` } }),
    elapsedMs: 0,
    finishedAt: "",
  });

  it("are those of the records --out holds: a worker's record of other models differs, where it ran does not", () => {
    const out = new OutModels([record("a", null), record("b", "m1")], contexts);
    expect(out.differences(record("c", "m1"))).toEqual([]);
    expect(out.differences({ ...record("c", "m1"), models: { backend: "openai", model: "m1" } })).toEqual([]);
    expect(out.differences(record("d", "m2"))).toEqual(["tpo: models.model: m1 in the records, m2 now"]);
    expect(out.differences(record("e", null))).toEqual([]);
  });

  it("are those of the run's first record when --out has none: workers of other models are told apart", () => {
    const out = new OutModels([], contexts);
    expect(out.differences(record("a", "m2"))).toEqual([]);
    expect(out.differences(record("b", "m1"))).toEqual(["tpo: models.model: m2 in the records, m1 now"]);
    expect(out.differences(record("c", "m2"))).toEqual([]);
  });
});
