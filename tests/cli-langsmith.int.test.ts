import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Judgment } from "../src/eval/compare/judgment.js";
import { FEEDBACK_KEYS, feedbackOf } from "../src/langsmith/feedback.js";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { simServerEnv } from "./helpers/sim-http.js";
import { killChildren, removeTempDirs, runCli } from "./helpers/cli.js";
import { childrenOf, type LangSmithCapture, type Behaviour } from "./helpers/langsmith-capture.js";
import { useLangSmithStandIn } from "./helpers/langsmith-stand-in.js";
import { readRecords } from "./helpers/records.js";

const API_KEY = "lsv2_pt_fake_experiments_0123456789abcdef_do_not_send";
const SERVER_KEY = "sk-model-server-credential-do-not-send";
const QUERIES = [
  { id: "table", prompt: "How do I take care of a wooden table?" },
  { id: "bread", prompt: "How do I bake bread without yeast?" },
  { id: "chat", messages: [{ role: "user", content: "Name three uses of vinegar." }] },
];
/** A warning of Node or of the langsmith client about a deprecated call ("listRuns() is deprecated …"). */
const DEPRECATION = /deprecat|\[LANGSMITH\]/i;
const SETTINGS = ["--width", "2", "--depth", "1", "--seed", "3", "--quiet"];

let sim: SimServer | undefined;
const langsmith = useLangSmithStandIn();

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  killChildren();
  removeTempDirs();
});

function inputFile(dir: string): string {
  const input = join(dir, "questions.jsonl");
  writeFileSync(input, QUERIES.map((q) => JSON.stringify(q)).join("\n"));
  return input;
}

function env(endpoint: string, extra: Record<string, string> = {}) {
  return { LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: API_KEY, ...extra };
}

/** The feedback the stand-in received for a run, as key → score or value. */
function feedbackFor(capture: LangSmithCapture, runId: string): Record<string, unknown> {
  return Object.fromEntries(
    capture.feedback.filter((f) => f.run_id === runId).map((f) => [f.key, f.score ?? f.value]),
  );
}

describe("tpo batch --langsmith-experiment", () => {
  it("uploads the dataset, an experiment per mode, a run per query linked to its example, and the records' feedback", async () => {
    sim = await startSimServer();
    const { capture, endpoint, dir, out } = await langsmith.start();
    const result = await runCli(
      [
        "batch",
        inputFile(dir),
        "--out",
        out,
        "--modes",
        "tpo,bon",
        ...SETTINGS,
        "--langsmith-experiment",
        "nightly",
      ],
      // Models over HTTP, with keys: neither reaches LangSmith.
      {
        env: simServerEnv(sim, env(endpoint, { OPENAI_API_KEY: SERVER_KEY, TPO_REWARD_API_KEY: SERVER_KEY })),
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("LangSmith");
    expect(result.stderr).not.toMatch(DEPRECATION);

    expect(capture.datasets.map((d) => d.name)).toEqual(["questions"]);
    const datasetId = capture.datasets[0].id;
    expect(capture.examples.map((e) => (e.metadata as { tpo_id: string }).tpo_id).sort()).toEqual([
      "bread",
      "chat",
      "table",
    ]);
    expect(
      capture.examples.find((e) => (e.metadata as { tpo_id: string }).tpo_id === "chat")?.inputs,
    ).toEqual({
      messages: QUERIES[2].messages,
    });
    expect(capture.projects.map((p) => [p.name, p.reference_dataset_id])).toEqual([
      ["nightly-tpo", datasetId],
      ["nightly-bon", datasetId],
    ]);

    const records = readRecords(out);
    expect(records).toHaveLength(6);
    const runs = [...capture.runs().values()];
    expect(runs).toHaveLength(6);
    for (const record of records) {
      const example = capture.examples.find((e) => (e.metadata as { tpo_id: string }).tpo_id === record.id)!;
      const run = runs.find(
        (r) => r.session_name === `nightly-${record.mode}` && r.reference_example_id === example.id,
      );
      expect(run, `${record.mode} ${record.id}`).toBeDefined();
      expect(run!.outputs).toEqual({ output: record.best!.text });
      const expected = Object.fromEntries(feedbackOf(record).map((f) => [f.key, f.score ?? f.value]));
      // The client sends scores to 4 decimals, the most LangSmith stores.
      const fourDecimals = (value: unknown) => (typeof value === "number" ? Number(value.toFixed(4)) : value);
      const sent = feedbackFor(capture, run!.id);
      expect(sent).toEqual(
        Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, fourDecimals(v)])),
      );
      expect(expected[FEEDBACK_KEYS.reward]).toBe(record.best!.score);
      expect(expected[FEEDBACK_KEYS.firstReward]).toBe(record.history![0].bestSoFar);
      expect(expected[FEEDBACK_KEYS.iterations]).toBe(record.history!.at(-1)!.iteration);
      expect(expected[FEEDBACK_KEYS.tokens]).toBe(
        record.usage!.promptTokens + record.usage!.completionTokens,
      );
      expect(expected[FEEDBACK_KEYS.stopReason]).toBe(record.stopReason);
    }
    for (const body of capture.bodies) {
      expect(body).not.toContain(API_KEY);
      expect(body).not.toContain(SERVER_KEY);
    }
    expect(capture.requests.every((r) => r.apiKey === API_KEY)).toBe(true);

    // The same results again, afterwards: nothing is added.
    const counts = () =>
      [capture.datasets, capture.examples, capture.projects, capture.feedback].map((l) => l.length);
    const before = [...counts(), capture.runs().size];
    const again = await runCli(
      [
        "export",
        out,
        "--format",
        "langsmith",
        "--langsmith-experiment",
        "nightly",
        "--langsmith-dataset",
        "questions",
      ],
      { env: env(endpoint) },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(DEPRECATION);
    expect([...counts(), capture.runs().size]).toEqual(before);
    expect(again.stdout).toContain("0 runs");
  });

  it("tpo compare --langsmith attaches the verdicts of both orders to both experiments' runs as pairwise feedback", async () => {
    const { capture, endpoint, dir, out } = await langsmith.start();
    const batch = await runCli(
      [
        "batch",
        inputFile(dir),
        "--out",
        out,
        "--modes",
        "tpo,bon",
        ...SETTINGS,
        "--langsmith-experiment",
        "pair",
      ],
      { env: env(endpoint) },
    );
    expect(batch.code, batch.stderr).toBe(0);
    const judged = join(dir, "compare.jsonl");
    const result = await runCli(
      ["compare", out, "--a", "tpo", "--b", "bon", "--out", judged, "--quiet", "--langsmith", "pair"],
      { env: env(endpoint) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("comparative experiment pair-tpo vs pair-bon");
    expect(result.stderr).not.toMatch(DEPRECATION);
    const [tpo, bon] = ["pair-tpo", "pair-bon"].map((name) => capture.projects.find((p) => p.name === name)!);
    expect(capture.comparisons).toHaveLength(1);
    const comparison = capture.comparisons[0];
    expect(comparison.experiment_ids).toEqual([tpo.id, bon.id]);
    expect(comparison.reference_dataset_id).toBe(capture.datasets[0].id);

    const judgments = readRecords(judged) as unknown as Judgment[];
    expect(judgments).toHaveLength(3);
    const runs = [...capture.runs().values()];
    const score = (side: "a" | "b", winner: string) => (winner === "tie" ? 0.5 : winner === side ? 1 : 0);
    for (const judgment of judgments) {
      const example = capture.examples.find(
        (e) => (e.metadata as { tpo_id: string }).tpo_id === judgment.id,
      )!;
      for (const [side, session] of [
        ["a", "pair-tpo"],
        ["b", "pair-bon"],
      ] as const) {
        const run = runs.find((r) => r.session_name === session && r.reference_example_id === example.id)!;
        const pairwise = capture.feedback.filter(
          (f) => f.run_id === run.id && f.comparative_experiment_id === comparison.id,
        );
        expect(Object.fromEntries(pairwise.map((f) => [f.key, [f.score, f.comment]]))).toEqual({
          preference: [score(side, judgment.outcome), expect.stringContaining(judgment.games[0].rationale)],
          [`preference_${judgment.games[0].shownFirst}_first`]: [
            score(side, judgment.games[0].winner),
            judgment.games[0].rationale,
          ],
          [`preference_${judgment.games[1].shownFirst}_first`]: [
            score(side, judgment.games[1].winner),
            judgment.games[1].rationale,
          ],
        });
      }
    }
    for (const body of capture.bodies) expect(body).not.toContain(API_KEY);

    // The same comparison again: no second comparative experiment, no feedback twice.
    const feedbackBefore = capture.feedback.length;
    const again = await runCli(
      [
        "compare",
        out,
        "--a",
        "tpo",
        "--b",
        "bon",
        "--out",
        judged,
        "--quiet",
        "--resume",
        "--langsmith",
        "pair",
      ],
      { env: env(endpoint) },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      "The verdicts of 3 pairs were already in LangSmith: comparative experiment pair-tpo vs pair-bon",
    );
    expect(capture.comparisons).toHaveLength(1);
    expect(capture.feedback).toHaveLength(feedbackBefore);

    // LangSmith refusing costs one line, never the comparison or its exit code.
    capture.behaviour = 500;
    const refused = await runCli(
      [
        "compare",
        out,
        "--a",
        "tpo",
        "--b",
        "bon",
        "--out",
        judged,
        "--quiet",
        "--resume",
        "--langsmith",
        "pair",
      ],
      { env: env(endpoint), timeoutMs: 120_000 },
    );
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stdout).toContain("win rate");
    expect(refused.stderr.split("\n").filter((line) => line.trim())).toEqual([
      expect.stringContaining(
        "answered 500 Internal Server Error: the verdicts of 3 pairs were not uploaded",
      ),
    ]);
  });

  it("tpo batch langsmith:DATASET runs a dataset's examples, and its experiment runs answer those examples", async () => {
    const { capture, endpoint, dir, out } = await langsmith.start();
    const datasetId = randomUUID();
    capture.datasets.push({ id: datasetId, name: "team-set" });
    const examples = [
      { question: "How do I take care of a wooden table?" },
      { messages: [{ role: "user", content: "Name three uses of vinegar." }] },
      { input: "How do I bake bread without yeast?", context: "ignored" },
      { answer: "no query here" },
    ].map((inputs) => ({ id: randomUUID(), dataset_id: datasetId, inputs }));
    capture.examples.push(...examples);
    const result = await runCli(
      ["batch", "langsmith:team-set", "--out", out, ...SETTINGS, "--langsmith-experiment", "team"],
      { env: env(endpoint) },
    );
    expect(result.code, result.stderr).toBe(1); // the example without a query is an error record
    expect(result.stderr).toContain(`example ${examples[3].id} has no input`);
    const records = readRecords(out);
    expect(Object.fromEntries(records.map((r) => [r.id, r.query]))).toEqual({
      [examples[0].id]: "How do I take care of a wooden table?",
      [examples[1].id]: "Name three uses of vinegar.",
      [examples[2].id]: "How do I bake bread without yeast?",
      [examples[3].id]: null,
    });
    expect(capture.datasets).toHaveLength(1);
    expect(capture.examples).toHaveLength(4);
    expect(capture.projects.map((p) => [p.name, p.reference_dataset_id])).toEqual([["team-tpo", datasetId]]);
    const runs = [...capture.runs().values()];
    expect(runs.map((r) => r.reference_example_id).sort()).toEqual(
      examples
        .slice(0, 3)
        .map((e) => e.id)
        .sort(),
    );

    const keyed = await runCli(
      [
        "batch",
        "langsmith:team-set",
        "--out",
        join(dir, "answers.jsonl"),
        ...SETTINGS,
        "--langsmith-input-key",
        "answer",
      ],
      { env: env(endpoint) },
    );
    expect(readRecords(join(dir, "answers.jsonl")).find((r) => r.id === examples[3].id)?.query).toBe(
      "no query here",
    );
    expect(keyed.stderr).toContain(`example ${examples[0].id} has no input "answer"`);
  });

  it("with tracing on, each query's trace is its run: the TPO iterations as child runs, the feedback on its root", async () => {
    const { capture, endpoint, dir, out } = await langsmith.start("multipart");
    const result = await runCli(
      ["batch", inputFile(dir), "--out", out, ...SETTINGS, "--langsmith-experiment", "traced"],
      { env: env(endpoint, { LANGSMITH_TRACING: "true" }) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("LangSmith");
    const runs = capture.runs();
    const roots = [...runs.values()].filter((r) => r.session_name === "traced-tpo" && !r.parent_run_id);
    expect(roots).toHaveLength(3);
    for (const record of readRecords(out)) {
      const example = capture.examples.find((e) => (e.metadata as { tpo_id: string }).tpo_id === record.id)!;
      const root = roots.find((r) => r.reference_example_id === example.id)!;
      expect(root, record.id).toBeDefined();
      expect(childrenOf(runs, root).map((r) => r.name)).toEqual(
        expect.arrayContaining(["generate", "reward", "select", "critique", "gradient", "update"]),
      );
      expect(Object.keys(feedbackFor(capture, root.id)).sort()).toEqual(
        feedbackOf(record)
          .map((f) => f.key)
          .sort(),
      );
    }
    for (const body of capture.bodies) expect(body).not.toContain(API_KEY);
  });

  it.each<[string, Behaviour]>([
    ["answers 401", 401],
    ["answers 429", 429],
    ["answers 500", 500],
    ["does not answer", "silent"],
  ])(
    "when LangSmith %s, keeps every record and the exit code, and says in one line how to upload later",
    async (_, behaviour) => {
      const { capture, endpoint, dir, out } = await langsmith.start();
      capture.behaviour = behaviour;
      const result = await runCli(
        ["batch", inputFile(dir), "--out", out, ...SETTINGS, "--langsmith-experiment", "nightly"],
        { env: env(endpoint, { TPO_LANGSMITH_TIMEOUT_MS: "1500" }), timeoutMs: 120_000 },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(readRecords(out).filter((r) => r.best)).toHaveLength(3);
      const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
      expect(lines).toEqual([
        expect.stringContaining(
          `experiment nightly (3 results, dataset questions) not uploaded; upload it later with \`tpo export ${out} --format langsmith --langsmith-experiment nightly --langsmith-dataset questions\``,
        ),
      ]);
      expect(lines[0]).toContain(behaviour === "silent" ? "no answer within 1.5 s" : `answered ${behaviour}`);

      // Later, with LangSmith back: the command of the warning uploads everything.
      capture.behaviour = "answer";
      const later = await runCli(
        [
          "export",
          out,
          "--format",
          "langsmith",
          "--langsmith-experiment",
          "nightly",
          "--langsmith-dataset",
          "questions",
        ],
        { env: env(endpoint) },
      );
      expect(later.code, later.stderr).toBe(0);
      expect(capture.runs().size).toBe(3);
      expect(capture.examples).toHaveLength(3);
    },
  );
});
