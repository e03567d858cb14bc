import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseBatchInput } from "../src/eval/batch/input.js";
import { planJobs } from "../src/eval/batch/plan.js";
import { latestRecords } from "../src/eval/batch/results-file.js";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { groupBySettings, settingsDifferences, settingsKey } from "../src/eval/batch/settings-check.js";
import { inShard, itemsOfShard } from "../src/eval/batch/shard.js";
import { parseShard } from "../src/cli/batch/batch-flags.js";
import {
  parseTpoContext,
  TpoContextSchema,
  type TpoContext,
  type TpoContextInput,
  type TpoMode,
} from "../src/settings/run-settings.js";
import { samplePromptsPath } from "./helpers/records.js";

/**
 * What a batch does with the work it is given: which queries a shard holds (by id alone), what a
 * resume refuses (every setting and every model that changes results), and what is left to do.
 */

/** A value other than the default for every run setting: a resume must notice each one. */
const CHANGED: Record<string, unknown> = {
  width: 3,
  depth: 4,
  mode: "revision",
  temperature: 0.2,
  topP: 0.5,
  maxTokens: 99,
  sampling: "parallel",
  criticTemperature: 0.1,
  criticTopP: 0.6,
  criticMaxTokens: 77,
  untaggedRewrites: "keep",
  systemPrompt: "Be brief.",
  seed: 7,
  seedScheme: "reference",
  stop: ["</s>"],
  criticStop: ["###"],
  criticLayout: "conversation",
  targetScore: 0.9,
  patience: 2,
  budgetTokens: 5000,
  budgetRequests: 30,
  budgetUsd: 0.5,
  critiqueSystemPrompt: "c s",
  critiqueUserPrompt: "c u",
  revisionCritiqueSystemPrompt: "rc s",
  revisionCritiqueUserPrompt: "rc u",
  gradientSystemPrompt: "g s",
  gradientUserPrompt: "g u",
  revisionGradientSystemPrompt: "rg s",
  revisionGradientUserPrompt: "rg u",
  updateSystemPrompt: "u s",
  updateUserPrompt: "u u",
  revisionUpdateSystemPrompt: "ru s",
  revisionUpdateUserPrompt: "ru u",
};

/** Prompt settings do not go with the conversation layout: change that one against a plain context. */
function changedContext(field: string): TpoContext {
  return parseTpoContext({ [field]: CHANGED[field] } as TpoContextInput);
}

const MODELS = {
  backend: "openai",
  baseUrl: "http://127.0.0.1:8000/v1",
  model: "policy-a",
  criticModel: "critic-a",
  rewardUrl: "http://127.0.0.1:8001",
  rewardKind: "tei",
  rewardModel: "rm-a",
  rewardTemplate: "llama3",
  rewardLabel: "0",
};

function record(
  id: string,
  settings: TpoContext | undefined,
  models = MODELS,
  mode: TpoMode = "tpo",
): BatchRecord {
  return { id, mode, query: `query ${id}`, settings, models, elapsedMs: 1, finishedAt: "t" };
}

const defaults = parseTpoContext({});
const only = (context: TpoContext) => new Map<TpoMode, TpoContext>([["tpo", context]]);

describe("the resume check", () => {
  it("has a changed value for every run setting (a new setting must be added here)", () => {
    expect(Object.keys(CHANGED).sort()).toEqual(Object.keys(TpoContextSchema.shape).sort());
  });

  it.each(Object.keys(CHANGED))("refuses a resume whose %s differs from the records'", (field) => {
    const records = [record("a", defaults)];
    const differences = settingsDifferences(records, only(changedContext(field)), MODELS);
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatch(new RegExp(`^tpo: ${field}: .* in the records, .* now$`));
    // And the other way round: set in the records, unset or default now.
    expect(settingsDifferences([record("a", changedContext(field))], only(defaults), MODELS)).toHaveLength(1);
  });

  it.each(["backend", "model", "criticModel", "rewardKind", "rewardModel", "rewardTemplate", "rewardLabel"])(
    "refuses a resume with another %s, the critic's included",
    (field) => {
      const now = { ...MODELS, [field]: "other" };
      expect(settingsDifferences([record("a", defaults)], only(defaults), now)).toEqual([
        `tpo: models.${field}: ${MODELS[field as keyof typeof MODELS]} in the records, other now`,
      ]);
      const unset: Record<string, string> = { ...MODELS };
      delete unset[field];
      expect(settingsDifferences([record("a", defaults)], only(defaults), unset)).toHaveLength(1);
    },
  );

  it("lets a resume reach the same models at other addresses", () => {
    const moved = { ...MODELS, baseUrl: "http://gpu-2:8000/v1", rewardUrl: "http://gpu-3:8001" };
    expect(settingsDifferences([record("a", defaults)], only(defaults), moved)).toEqual([]);
  });

  it("finds nothing when settings and models are the same, and reads older records with the defaults", () => {
    expect(settingsDifferences([record("a", defaults)], only(defaults), MODELS)).toEqual([]);
    const older = { ...defaults } as Record<string, unknown>;
    delete older.seedScheme;
    delete older.criticLayout;
    const old = record("a", older as TpoContext);
    expect(settingsDifferences([old], only(defaults), MODELS)).toEqual([]);
    expect(settingsKey(old)).toBe(settingsKey(record("b", defaults)));
  });

  it("compares each record with the settings of its own mode, and skips unreadable lines and other modes", () => {
    const bon = parseTpoContext({ mode: "bon", width: 10, depth: 0 });
    const contexts = new Map<TpoMode, TpoContext>([
      ["tpo", defaults],
      ["bon", bon],
    ]);
    const records = [
      record("a", defaults),
      record("a", bon, MODELS, "bon"),
      { ...record("x", undefined), mode: null },
      record("r", parseTpoContext({ mode: "revision" }), MODELS, "revision"),
    ];
    expect(settingsDifferences(records, contexts, MODELS)).toEqual([]);
    const widerBon = new Map(contexts).set("bon", { ...bon, width: 12 });
    expect(settingsDifferences(records, widerBon, MODELS)).toEqual(["bon: width: 10 in the records, 12 now"]);
  });

  it("names each difference once however many records share it, and shortens long values", () => {
    const long = "x".repeat(100);
    const records = [record("a", defaults), record("b", defaults)];
    const differences = settingsDifferences(records, only({ ...defaults, systemPrompt: long }), MODELS);
    expect(differences).toEqual([`tpo: systemPrompt: unset in the records, ${"x".repeat(40)}… now`]);
  });

  it("tells every changed setting apart in the fingerprint that groups records", () => {
    const keys = new Set([
      settingsKey(record("a", defaults)),
      ...Object.keys(CHANGED).map((field) => settingsKey(record("a", changedContext(field)))),
      settingsKey(record("a", defaults, { ...MODELS, criticModel: "critic-b" })),
    ]);
    expect(keys.size).toBe(Object.keys(CHANGED).length + 2);
    // Where the models were reached is no part of it.
    expect(settingsKey(record("a", defaults, { ...MODELS, baseUrl: "http://elsewhere/v1" }))).toBe(
      settingsKey(record("a", defaults)),
    );
  });

  it("groups records by their settings, labelled by what tells the groups apart", () => {
    const wide = parseTpoContext({ width: 3 });
    const groups = groupBySettings("tpo", [
      record("a", defaults),
      record("b", wide),
      record("c", defaults),
      record("d", undefined),
    ]);
    expect(groups.map((g) => [g.label, g.records.map((r) => r.id)])).toEqual([
      ["tpo (width 5)", ["a", "c", "d"]],
      ["tpo (width 3)", ["b"]],
    ]);
    const critics = groupBySettings("tpo", [
      record("a", defaults),
      record("b", defaults, { ...MODELS, criticModel: "critic-b" }),
    ]);
    expect(critics.map((g) => g.label)).toEqual([
      "tpo (models.criticModel critic-a)",
      "tpo (models.criticModel critic-b)",
    ]);
    expect(groupBySettings("tpo", [record("a", defaults), record("c", defaults)])).toEqual([
      { label: "tpo", records: [record("a", defaults), record("c", defaults)] },
    ]);
    expect(groupBySettings("bon", [record("d", undefined)])).toEqual([
      { label: "bon", records: [record("d", undefined)] },
    ]);
  });
});

describe("a shard's queries", () => {
  const sample = readFileSync(samplePromptsPath(), "utf8");
  const prompts = JSON.parse(sample) as string[];

  const shardIds = (items: { id: string }[], index: number) =>
    itemsOfShard(items, { index, count: 3 })
      .map((item) => item.id)
      .sort();

  it("depend on the query's id alone: not on input order, file format or file name", () => {
    const asArray = parseBatchInput(sample, "sample.json");
    const reversed = parseBatchInput(JSON.stringify([...prompts].reverse()), "other.json");
    const asJsonl = parseBatchInput(prompts.map((p) => JSON.stringify({ prompt: p })).join("\n"), "q.jsonl");
    for (const index of [0, 1, 2]) {
      const ids = shardIds(asArray, index);
      expect(ids.length).toBeGreaterThan(10);
      expect(shardIds(reversed, index)).toEqual(ids);
      expect(shardIds(asJsonl, index)).toEqual(ids);
    }
  });

  it("keep their input order, and split the input into disjoint shards that cover it", () => {
    const items = parseBatchInput(sample, "sample.json");
    const shards = [0, 1, 2].map((index) => itemsOfShard(items, { index, count: 3 }));
    for (const shard of shards) {
      const positions = shard.map((item) => items.indexOf(item));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(
      shards
        .flat()
        .map((i) => i.id)
        .sort(),
    ).toEqual(items.map((i) => i.id).sort());
    expect(itemsOfShard(items, { index: 0, count: 1 })).toEqual(items);
  });

  it("are the same on every machine and in every version: a hash of the id", () => {
    // Pinned: shards of one data set run by different installs must agree.
    const bucket = (id: string, count: number) =>
      Array.from({ length: count }, (_, index) => index).filter((index) => inShard(id, { index, count }));
    expect(["a", "b", "query-1", "7", "x"].map((id) => bucket(id, 4))).toEqual([[2], [2], [2], [3], [2]]);
    expect(["a", "b", "query-1", "7", "x"].map((id) => bucket(id, 7))).toEqual([[2], [4], [2], [0], [5]]);
    expect(["a", "b", "query-1", "7", "x"].map((id) => bucket(id, 3))).toEqual([[2], [0], [1], [2], [0]]);
  });

  it("are named i/n, with 0 <= i < n", () => {
    expect(parseShard(" 2/3 ")).toEqual({ index: 2, count: 3 });
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    for (const bad of ["3/3", "0/0", "1/", "/2", "1/2/3", "a/2", "-1/2", "1.5/3"]) {
      expect(() => parseShard(bad)).toThrow(
        `--shard must be i/n with 0 <= i < n (e.g. 0/4 … 3/4), got "${bad}".`,
      );
    }
  });
});

describe("what a resumed batch has left to do", () => {
  const items = parseBatchInput('{"id": "a", "prompt": "A?"}\n{oops\n{"id": "b", "prompt": "B?"}', "q.jsonl");
  const contexts = new Map<TpoMode, TpoContext>([
    ["tpo", defaults],
    ["bon", parseTpoContext({ mode: "bon" })],
  ]);
  const done = (id: string, mode: TpoMode | null, failed = false): BatchRecord => ({
    ...record(id, defaults, MODELS, mode ?? "tpo"),
    mode,
    ...(failed ? { error: { message: "down" } } : {}),
  });

  it("is every query under every mode, in input order, with the mode's settings, when nothing is done", () => {
    const plan = planJobs(items, contexts, new Map(), false);
    expect(plan.jobs.map((j) => [j.item.id, j.mode, j.context.mode])).toEqual([
      ["a", "tpo", "tpo"],
      ["a", "bon", "bon"],
      ["b", "tpo", "tpo"],
      ["b", "bon", "bon"],
    ]);
    expect(plan.unreadable.map((i) => i.source)).toEqual(["line 2"]);
  });

  it("leaves out what has a record, failures too unless retried; an unreadable line's failure is final", () => {
    const existing = latestRecords([done("a", "tpo", true), done("b", "bon"), done("line-2", null, true)]);
    expect(planJobs(items, contexts, existing, false).jobs.map((j) => `${j.item.id}/${j.mode}`)).toEqual([
      "a/bon",
      "b/tpo",
    ]);
    const retried = planJobs(items, contexts, existing, true);
    expect(retried.jobs.map((j) => `${j.item.id}/${j.mode}`)).toEqual(["a/tpo", "a/bon", "b/tpo"]);
    expect(retried.unreadable).toEqual([]);
  });
});
