import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killChildren, removeTempDirs, ROOT, runCli, runCliInProcess, tempDir } from "./helpers/cli.js";
import { LangSmithCapture, type Stored } from "./helpers/langsmith-capture.js";

/**
 * `tpo eval alpaca-eval|arena-hard --langsmith-experiment`: each example's judge preference as
 * feedback on the batch experiment's run of that example, the summary scores on the experiment.
 * The simulated world's figures show mechanics only.
 */
const API_KEY = "lsv2_pt_fake_eval_0123456789abcdef_do_not_send";
const PROMPTS = (
  JSON.parse(readFileSync(join(ROOT, "data", "tpo-sample-prompts.json"), "utf8")) as string[]
).slice(0, 4);

let capture: LangSmithCapture;
let endpoint = "";
let dir = "";
const file = (name: string) => join(dir, name);
const env = (extra: Record<string, string> = {}) => ({
  LANGSMITH_ENDPOINT: endpoint,
  LANGSMITH_API_KEY: API_KEY,
  ...extra,
});
const jsonLines = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const fourDecimals = (value: number) => Number(value.toFixed(4));

beforeAll(async () => {
  capture = new LangSmithCapture();
  endpoint = await capture.start();
  dir = tempDir();
  const questions = PROMPTS.map((prompt, i) => ({ uid: `q${i}`, category: "hard_prompt", prompt }));
  writeFileSync(file("questions.jsonl"), questions.map((q) => JSON.stringify(q)).join("\n"));
  writeFileSync(
    file("arena.jsonl"),
    questions.map((q) => JSON.stringify({ id: q.uid, prompt: q.prompt })).join("\n"),
  );
  const batch = await runCli(
    [
      "batch",
      file("arena.jsonl"),
      "--depth",
      "1",
      "--width",
      "2",
      "--out",
      file("results.jsonl"),
      "--quiet",
    ].concat(["--langsmith-experiment", "lb"]),
    { env: env(), timeoutMs: 120_000 },
  );
  expect(batch.code, batch.stderr).toBe(0);
  for (const args of [
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
    ["export", file("results.jsonl"), "--format", "arena-hard", "--mode", "first:tpo"].concat([
      "--model-name",
      "tpo-sim-first",
      "--out",
      file("tpo-sim-first.jsonl"),
    ]),
  ]) {
    const result = await runCliInProcess(args);
    expect(result.code, result.stderr).toBe(0);
  }
}, 300_000);

afterEach(killChildren);
afterAll(async () => {
  await capture.close();
  removeTempDirs();
});

/** The run of each query id in experiment `name`, by the examples' `tpo_id`. */
function runsOf(name: string): Map<string, string> {
  const byExample = new Map(capture.examples.map((e) => [e.id, (e.metadata as { tpo_id: string }).tpo_id]));
  const runs = new Map<string, string>();
  for (const run of capture.runs().values()) {
    if (run.session_name === name && !run.parent_run_id)
      runs.set(byExample.get(String(run.reference_example_id))!, run.id);
  }
  return runs;
}

const feedbackOfKey = (key: string): Stored[] => capture.feedback.filter((f) => f.key === key);
const metadataOf = (name: string) =>
  (capture.projects.find((p) => p.name === name)!.extra as { metadata: Record<string, unknown> }).metadata;

const alpacaArgs = (out: string, ...more: string[]) => [
  "eval",
  "alpaca-eval",
  file("results.jsonl"),
  "--baseline",
  file("reference.json"),
  "--out",
  out,
  "--quiet",
  "--json",
  ...more,
];

const arenaArgs = (...more: string[]) => [
  "eval",
  "arena-hard",
  file("results.jsonl"),
  "--baseline",
  file("tpo-sim-first.jsonl"),
  "--questions",
  file("questions.jsonl"),
  "--out",
  file("judgments.jsonl"),
  "--quiet",
  "--json",
  ...more,
];

describe("tpo eval --langsmith-experiment", () => {
  it("alpaca-eval: each example's preference on its run, the win rate on the experiment, and a rerun adds nothing", async () => {
    const result = await runCli(alpacaArgs(file("annotations.json"), "--langsmith-experiment", "lb"), {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const scores = JSON.parse(result.stdout) as { win_rate: number; standard_error: number; n_total: number };
    expect(result.stderr).toContain(
      "Uploaded the judge's preferences of 4 examples (4 feedback scores) and the scores to LangSmith experiment lb-tpo.",
    );
    expect(result.stderr).not.toMatch(/deprecat|\[LANGSMITH\]/i);
    const runs = runsOf("lb-tpo");
    const annotations = JSON.parse(readFileSync(file("annotations.json"), "utf8")) as {
      instruction: string;
      preference: number;
    }[];
    expect(annotations).toHaveLength(4);
    const sent = feedbackOfKey("alpaca_eval_win");
    expect(sent).toHaveLength(4);
    for (const annotation of annotations) {
      const id = `q${PROMPTS.indexOf(annotation.instruction)}`;
      const on = sent.filter((f) => f.run_id === runs.get(id));
      expect(
        on.map((f) => f.score),
        id,
      ).toEqual([fourDecimals(annotation.preference - 1)]);
      expect(on[0].session_id).toBe(capture.projects.find((p) => p.name === "lb-tpo")!.id);
    }
    expect(metadataOf("lb-tpo")).toMatchObject({
      tpo_mode: "tpo", // what the batch put there stays
      alpaca_eval_win_rate: scores.win_rate,
      alpaca_eval_standard_error: scores.standard_error,
      alpaca_eval_annotations: scores.n_total,
      alpaca_eval_baseline: "tpo-sim-first",
    });
    for (const body of capture.bodies) expect(body).not.toContain(API_KEY);

    const before = capture.feedback.length;
    const again = await runCli(alpacaArgs(file("annotations.json"), "--langsmith-experiment", "lb"), {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(capture.feedback).toHaveLength(before);
    expect(capture.projects).toHaveLength(1);
  });

  it("arena-hard: each question's share of wins on its run, the score and interval on the experiment", async () => {
    const result = await runCli(arenaArgs("--langsmith-experiment", "lb"), {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const rows = (
      JSON.parse(result.stdout) as { rows: { model: string; score: number; lower: number; upper: number }[] }
    ).rows;
    const ours = rows.find((r) => r.model === "tpo-sim-tpo")!;
    const runs = runsOf("lb-tpo");
    const judgments = jsonLines(file("judgments.jsonl")) as {
      uid: string;
      games: { score: string | null }[];
    }[];
    expect(judgments).toHaveLength(4);
    // Game 1 shows the baseline first, game 2 ours; a strong verdict counts three games.
    const forA: Record<string, number[]> = {
      "A>>B": [1, 1, 1],
      "A>B": [1],
      "A=B": [0.5],
      "B>A": [0],
      "B>>A": [0, 0, 0],
    };
    for (const j of judgments) {
      const [first, second] = j.games.map((g) => g.score!);
      const games = [...forA[second], ...forA[first].map((s) => 1 - s)];
      const expected = games.reduce((a, b) => a + b, 0) / games.length;
      const on = feedbackOfKey("arena_hard_win").filter((f) => f.run_id === runs.get(j.uid));
      expect(
        on.map((f) => f.score),
        j.uid,
      ).toEqual([fourDecimals(expected)]);
      expect(on[0].comment).toContain(`baseline shown first: ${first}`);
    }
    expect(metadataOf("lb-tpo")).toMatchObject({
      alpaca_eval_baseline: "tpo-sim-first", // the other leaderboard's scores stay
      arena_hard_score: ours.score,
      arena_hard_ci_lower: ours.lower,
      arena_hard_ci_upper: ours.upper,
      arena_hard_baseline: "tpo-sim-first",
    });
  });

  it.each([
    ["answers 401", 401],
    ["answers 500", 500],
    ["does not answer", "silent"],
  ] as const)(
    "when LangSmith %s, prints the same scores and exit code and says in one line what was not uploaded",
    async (_, behaviour) => {
      // Judged first without LangSmith: the rerun with it judges nothing and prints the same.
      const out = file(`annotations-${behaviour}.json`);
      const plain = await runCliInProcess(alpacaArgs(out));
      expect(plain.code, plain.stderr).toBe(0);
      const judged: unknown = JSON.parse(readFileSync(out, "utf8"));
      capture.behaviour = behaviour;
      try {
        const result = await runCli(alpacaArgs(out, "--langsmith-experiment", "lb"), {
          env: env({ TPO_LANGSMITH_TIMEOUT_MS: "1500" }),
          timeoutMs: 120_000,
        });
        expect(result.code, result.stderr).toBe(plain.code);
        // The same scores; what this run judged differs by design (nothing: it was all judged).
        const scoresOf = (stdout: string) => {
          const { judging, ...scores } = JSON.parse(stdout) as { judging: { judged: number } };
          return { scores, judged: judging.judged };
        };
        expect(scoresOf(result.stdout)).toEqual({ ...scoresOf(plain.stdout), judged: 0 });
        expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(judged);
        const lines = result.stderr.split("\n").filter((line) => line.includes("LangSmith"));
        expect(lines).toEqual([
          expect.stringContaining(
            "the preferences of 4 examples and the scores were not uploaded to experiment lb-tpo; run the same command again to upload them",
          ),
        ]);
        expect(lines[0]).toContain(
          behaviour === "silent" ? "no answer within 1.5 s" : `answered ${behaviour}`,
        );
      } finally {
        capture.behaviour = "answer";
      }
    },
  );
});
