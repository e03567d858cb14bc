import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ROOT, killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { mentions, simServerEnv, useSimServer } from "./helpers/sim-http.js";

/**
 * The path of docs/evaluation.md, end to end over HTTP against the simulated server: `tpo batch` on
 * questions with uids, the first samples exported as the baseline, then `tpo eval alpaca-eval` and
 * `tpo eval arena-hard` judge the TPO answers against them and print the scores.
 */
const sim = useSimServer();
afterEach(killChildren);
afterAll(removeTempDirs);

const PROMPTS = (
  JSON.parse(readFileSync(join(ROOT, "data", "tpo-sample-prompts.json"), "utf8")) as string[]
).slice(0, 4);
const CHAT = "/v1/chat/completions";

let dir = "";
const file = (name: string) => join(dir, name);
const env = () => simServerEnv(sim.server);
const jsonLines = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  dir = tempDir();
  const questions = PROMPTS.map((prompt, i) => ({ uid: `q${i}`, category: "hard_prompt", prompt }));
  writeFileSync(file("questions.jsonl"), questions.map((q) => JSON.stringify(q)).join("\n"));
  const steps = [
    [
      "batch",
      file("questions.jsonl"), // as it is: tpo batch takes a question's uid as its id
      "--modes",
      "tpo",
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
    const result = await runCliInProcess(args, { env: env(), timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
  }
}, 300_000);

const alpacaArgs = (out: string, ...more: string[]) => [
  "eval",
  "alpaca-eval",
  file("results.jsonl"),
  "--baseline",
  file("reference.json"),
  "--out",
  out,
  "--quiet",
  ...more,
];

const arenaArgs = (out: string, ...more: string[]) => [
  "eval",
  "arena-hard",
  file("results.jsonl"),
  "--baseline",
  file("tpo-sim-first.jsonl"),
  "--questions",
  file("questions.jsonl"),
  "--out",
  out,
  "--quiet",
  ...more,
];

describe("tpo batch → tpo eval alpaca-eval", () => {
  it("judges with the weighted judge's log-probabilities, writes alpaca_eval's annotations, scores them, and a rerun judges nothing twice", async () => {
    sim.server.stats.reset(); // the batch's requests
    const out = file("annotations.json");
    const result = await runCliInProcess(alpacaArgs(out), { env: env(), timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/tpo-sim-tpo against tpo-sim-first \(4 annotations\)/);
    expect(result.stdout).toMatch(/win rate +\d+\.\d\d ± /);
    expect(result.stdout).toMatch(
      /Judge: tpo-sim at http:\/\/127\.0\.0\.1:\d+\/v1; prompt tpo:alpaca-eval-judge-v1; weighted/,
    );
    expect(result.stdout).toMatch(/baseline tpo-sim-first/);
    const bodies = sim.server.stats.bodies[CHAT] as Record<string, unknown>[];
    expect(bodies).toHaveLength(4);
    for (const body of bodies) expect(body).toMatchObject({ logprobs: true, top_logprobs: 5, max_tokens: 1 });

    const rows = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>[];
    // In the reference's order: alpaca_eval reads each instruction's difficulty by its position.
    const reference = JSON.parse(readFileSync(file("reference.json"), "utf8")) as { instruction: string }[];
    expect(rows.map((r) => r.instruction)).toEqual(reference.map((r) => r.instruction));
    expect(rows.map((r) => r.instruction).sort()).toEqual([...PROMPTS].sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        generator_1: "tpo-sim-first",
        generator_2: "tpo-sim-tpo",
        annotator: "weighted:tpo:alpaca-eval-judge-v1",
      });
      expect(row.preference as number).toBeGreaterThanOrEqual(1);
      expect(row.preference as number).toBeLessThanOrEqual(2);
    }
    expect(existsSync(`${out}.partial.jsonl`)).toBe(false);

    // What it prints is what `tpo eval score` prints for the file.
    const scored = await runCliInProcess(["eval", "score", "alpaca-eval", out]);
    expect(result.stdout.startsWith(scored.stdout)).toBe(true);

    sim.server.stats.reset();
    const again = await runCliInProcess(alpacaArgs(out), { env: env(), timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Judged 0 now, 4 kept from earlier runs/);
    expect(sim.server.stats.count(CHAT)).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(rows);

    // Another judge's annotations are never mixed into the file.
    const other = await runCliInProcess(alpacaArgs(out, "--discrete"), { env: env(), timeoutMs: 120_000 });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /was judged with annotator weighted:tpo:alpaca-eval-judge-v1, not discrete:tpo:alpaca-eval-judge-v1: give another --out, or --overwrite/,
    );
    expect(sim.server.stats.count(CHAT)).toBe(0);
  }, 300_000);

  it("stops in one line (exit 2) when the server returns no log-probabilities; --discrete judges by the label, labelled as such", async () => {
    sim.server.setFaults([{ kind: "no-logprobs" }]);
    const refused = await runCliInProcess(alpacaArgs(file("no-logprobs.json")), {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/returned no log-probabilities.*--discrete/);
    expect(existsSync(file("no-logprobs.json.partial.jsonl"))).toBe(false);

    const out = file("discrete.json");
    const discrete = await runCliInProcess(alpacaArgs(out, "--discrete"), { env: env(), timeoutMs: 120_000 });
    expect(discrete.code, discrete.stderr).toBe(0);
    expect(discrete.stdout).toMatch(/DISCRETE \(--discrete\)/);
    const rows = JSON.parse(readFileSync(out, "utf8")) as { annotator: string; preference: number }[];
    for (const row of rows) {
      expect(row.annotator).toBe("discrete:tpo:alpaca-eval-judge-v1");
      expect([1, 2]).toContain(row.preference);
    }
  }, 300_000);
});

describe("tpo eval alpaca-eval as a batch", () => {
  it("keeps what was judged when a request fails, and the rerun judges only the rest", async () => {
    const out = file("resumed.json");
    // The last instruction in the baseline's order fails: with one at a time, the three before it are
    // judged. The baseline's order is the batch's finishing order, which varies: a copy puts the
    // shortest last, so that the fault always picks the same one, shorter than what it looks for.
    const reference = JSON.parse(readFileSync(file("reference.json"), "utf8")) as { instruction: string }[];
    reference.sort((a, b) => b.instruction.length - a.instruction.length);
    const baseline = file("reference-shortest-last.json");
    writeFileSync(baseline, JSON.stringify(reference));
    const last = reference.at(-1)!.instruction;
    expect(last.length).toBeLessThan(40);
    sim.server.setFaults([
      { kind: "status", status: 400, message: "bad request", when: mentions(last.slice(0, 40)) },
    ]);
    const args = (...more: string[]) => [
      "eval",
      "alpaca-eval",
      file("results.jsonl"),
      "--baseline",
      baseline,
      "--out",
      out,
      "--quiet",
      ...more,
    ];
    const failed = await runCliInProcess(args("--concurrency", "1"), {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /3 of 4 are judged in .*resumed\.json\.partial\.jsonl; run the same command again to judge the rest/,
    );
    expect(existsSync(out)).toBe(false);
    const journaled = jsonLines(`${out}.partial.jsonl`).length;
    expect(journaled).toBe(3);

    sim.server.setFaults([]);
    sim.server.stats.reset();
    const resumed = await runCliInProcess(args(), { env: env(), timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(`Judged ${4 - journaled} now, ${journaled} kept from earlier runs`),
    );
    expect(sim.server.stats.count(CHAT)).toBe(4 - journaled);
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveLength(4);
    expect(existsSync(`${out}.partial.jsonl`)).toBe(false);
  }, 300_000);

  it("--iteration K judges the best answer of the pool up to iteration K", async () => {
    const out = file("iteration0.json");
    const result = await runCliInProcess(alpacaArgs(out, "--iteration", "0"), {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const records = jsonLines(file("results.jsonl")) as {
      query: string;
      pool: { text: string; score: number | null; iteration: number }[];
    }[];
    const rows = JSON.parse(readFileSync(out, "utf8")) as {
      instruction: string;
      output_2: string;
      generator_2: string;
    }[];
    for (const row of rows) {
      const pool = records.find((r) => r.query === row.instruction)!.pool.filter((c) => c.iteration === 0);
      const top = Math.max(...pool.map((c) => c.score ?? -Infinity));
      expect(pool.find((c) => c.score === top)!.text).toBe(row.output_2);
      expect(row.generator_2).toBe("tpo-sim-tpo@iteration0");
    }
  }, 300_000);
});

describe("tpo batch → tpo eval arena-hard", () => {
  it("judges both orders, writes arena-hard-auto's judgments, scores them against the baseline", async () => {
    const out = file("judgments.jsonl");
    const result = await runCliInProcess(arenaArgs(out), { env: env(), timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Model +Score \(%\) +CI \(%\)/);
    expect(result.stdout).toMatch(/tpo-sim-first +50\.0/);
    expect(result.stdout).toMatch(
      /Judge: tpo-sim at .*; prompt tpo:arena-hard-judge-v1; baseline tpo-sim-first\./,
    );
    expect(sim.server.stats.count(CHAT)).toBe(8);

    const judgments = jsonLines(out);
    // One line per question, in the order they finished (as gen_judgment.py appends them).
    expect(judgments.map((j) => j.uid).sort()).toEqual(["q0", "q1", "q2", "q3"]);
    for (const judgment of judgments) {
      expect(judgment).toMatchObject({
        category: "hard_prompt",
        judge: "tpo-sim",
        model: "tpo-sim-tpo",
        baseline: "tpo-sim-first",
      });
      const games = judgment.games as {
        score: string;
        judgment: { answer: string };
        prompt: { role: string; content: string }[];
      }[];
      expect(games).toHaveLength(2);
      // Game 1 shows the baseline as A, game 2 our answer: the two prompts swap the answers.
      expect(games[0]!.prompt[1]!.content).not.toBe(games[1]!.prompt[1]!.content);
      for (const game of games) expect(game.judgment.answer).toContain(`[[${game.score}]]`);
    }
    const scored = await runCliInProcess(["eval", "score", "arena-hard", out, "--baseline", "tpo-sim-first"]);
    expect(result.stdout.startsWith(scored.stdout)).toBe(true);
  }, 300_000);

  it("asks an unparseable verdict again once, then counts the game as missing", async () => {
    // Every judge request about q1's question gets text without a verdict.
    sim.server.setFaults([
      { kind: "reply", content: "I cannot decide.", when: mentions(PROMPTS[1].slice(0, 40)) },
    ]);
    const out = file("judgments-null.jsonl");
    const result = await runCliInProcess(arenaArgs(out), { env: env(), timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(sim.server.stats.count(CHAT)).toBe(3 * 2 + 2 * 2);
    expect(result.stderr).toMatch(/2 games got no verdict after asking again/);
    expect(result.stderr).toMatch(/1 of 4 judgments have a null game and are left out/);
    const q1 = jsonLines(out).find((j) => j.uid === "q1") as { games: { score: string | null }[] };
    expect(q1.games.map((g) => g.score)).toEqual([null, null]);
  }, 300_000);

  it("takes the judge's prompt from --judge-template and names it in the judgments", async () => {
    const template = file("arena-template.txt");
    writeFileSync(
      template,
      "<|im_start|>system\nJudge the answers; end with [[A>>B]], [[A>B]], [[A=B]], [[B>A]] or [[B>>A]].\n<|im_end|>\n" +
        "<|im_start|>user\n<|User Prompt|>\n{QUESTION}\n\n<|The Start of Assistant A's Answer|>\n{ANSWER_A}\n<|The End of Assistant A's Answer|>\n\n" +
        "<|The Start of Assistant B's Answer|>\n{ANSWER_B}\n<|The End of Assistant B's Answer|>\n<|im_end|>\n",
    );
    const out = file("judgments-template.jsonl");
    const result = await runCliInProcess(arenaArgs(out, "--judge-template", template), {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/prompt file:arena-template\.txt#[0-9a-f]{12}/);
    const first = jsonLines(out)[0] as {
      tpo: { prompt: string };
      games: { prompt: { content: string }[] }[];
    };
    expect(first.tpo.prompt).toMatch(/^file:arena-template\.txt#/);
    expect(first.games[0]!.prompt[0]!.content).toMatch(/^Judge the answers/);
  }, 300_000);

  it("refuses a --out that another run is writing (its lock), judging nothing", async () => {
    const out = file("locked.jsonl");
    const holder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      command: "tpo eval arena-hard",
    };
    writeFileSync(`${out}.lock`, JSON.stringify(holder));
    sim.server.stats.reset();
    const result = await runCliInProcess(arenaArgs(out), { env: env(), timeoutMs: 120_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`is being written by another tpo eval arena-hard \\(PID ${process.pid}`),
    );
    expect(sim.server.stats.count(CHAT)).toBe(0);
  }, 120_000);

  it("refuses bad input in one line with exit 2", async () => {
    const questions = file("bad-questions.jsonl");
    writeFileSync(questions, '{"uid": "q0", "prompt": "fine"}\nnot json\n');
    const result = await runCliInProcess(
      [
        "eval",
        "arena-hard",
        file("results.jsonl"),
        "--baseline",
        file("tpo-sim-first.jsonl"),
        "--questions",
        questions,
        "--out",
        file("never.jsonl"),
      ],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      `tpo: --questions ${questions} line 2 is not JSON: expected an arena-hard-auto question ({ uid, category, prompt }).`,
    ]);
    expect(existsSync(file("never.jsonl"))).toBe(false);
  }, 120_000);
});

describe("tpo batch → tpo eval → tpo report --leaderboard", () => {
  it("shows ours against the baseline as the eval commands score the files, with the judge, prompt and baseline they record", async () => {
    const annotations = file("lb-annotations.json");
    const judgments = file("lb-judgments.jsonl");
    for (const args of [alpacaArgs(annotations), arenaArgs(judgments)]) {
      const judged = await runCliInProcess(args, { env: env(), timeoutMs: 120_000 });
      expect(judged.code, judged.stderr).toBe(0);
    }
    const gamed = join(ROOT, "tests", "fixtures", "alpaca-eval-scoring", "df_gamed.csv");
    const scoreJson = async (args: string[]) => {
      const scored = await runCliInProcess(["eval", "score", ...args, "--json"]);
      expect(scored.code, scored.stderr).toBe(0);
      return JSON.parse(scored.stdout) as Record<string, unknown>;
    };
    const alpaca = await scoreJson(["alpaca-eval", annotations, "--gamed", gamed]);
    const arena = (await scoreJson(["arena-hard", judgments, "--baseline", "tpo-sim-first"])) as {
      rows: { model: string; score: number; lower: number; upper: number }[];
    };
    const ours = arena.rows.find((r) => r.model === "tpo-sim-tpo")!;

    const page = file("leaderboard.html");
    const reportArgs = [
      "report",
      file("results.jsonl"),
      "--out",
      page,
      "--leaderboard",
      annotations,
      "--leaderboard",
      judgments,
    ];
    const withLc = await runCliInProcess([...reportArgs, "--gamed", gamed, "--json"]);
    expect(withLc.code, withLc.stderr).toBe(0);
    const rows = (JSON.parse(withLc.stdout) as { leaderboard: Record<string, unknown>[] }).leaderboard;
    const judge = expect.stringMatching(/^tpo-sim at http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(rows).toEqual([
      expect.objectContaining({
        benchmark: "alpaca-eval",
        source: "lb-annotations.json",
        model: "tpo-sim-tpo",
        baseline: "tpo-sim-first",
        judge,
        prompt: "tpo:alpaca-eval-judge-v1",
        n: 4,
        winRate: alpaca.win_rate,
        standardError: alpaca.standard_error,
        lcWinRate: alpaca.length_controlled_winrate,
        lcStandardError: alpaca.lc_standard_error,
        score: null,
        simulated: true,
      }),
      expect.objectContaining({
        benchmark: "arena-hard",
        source: "lb-judgments.jsonl",
        model: "tpo-sim-tpo",
        baseline: "tpo-sim-first",
        category: "hard_prompt",
        judge,
        prompt: "tpo:arena-hard-judge-v1",
        n: 4,
        winRate: null,
        score: ours.score,
        interval: [ours.lower, ours.upper],
        simulated: true,
      }),
    ]);
    expect(typeof alpaca.length_controlled_winrate).toBe("number");

    // Without df_gamed.csv: the raw rate only, and the line that says what LC needs.
    const raw = await runCliInProcess(reportArgs);
    expect(raw.code, raw.stderr).toBe(0);
    const text = raw.stdout.slice(raw.stdout.indexOf("Leaderboard"));
    expect(text).toMatch(/^benchmark +model +baseline +n +win rate \(raw\) +LC win rate +Arena-Hard score/m);
    const rate = (x: unknown) => (x as number).toFixed(1);
    expect(text).toMatch(
      new RegExp(
        `^alpaca-eval +tpo-sim-tpo +tpo-sim-first +4 +${rate(alpaca.win_rate)} ± ${rate(alpaca.standard_error)} +- +- +- +tpo-sim at `,
        "m",
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `^arena-hard \\(hard_prompt\\) +tpo-sim-tpo +tpo-sim-first +4 +- +- +${rate(ours.score)} +${rate(ours.lower)} – ${rate(ours.upper)} +tpo-sim at `,
        "m",
      ),
    );
    expect(text).toMatch(
      /lb-annotations\.json \(tpo-sim-tpo\): no LC win rate: it needs --gamed df_gamed\.csv/,
    );
    expect(text).toMatch(/Simulated judge/);
    const html = readFileSync(page, "utf8");
    const table = /<table id="leaderboard">[\s\S]*?<\/table>/.exec(html)?.[0] ?? "";
    expect(table.match(/<tr><td>/g)).toHaveLength(2);
    expect(table).toContain(`<td>${rate(ours.score)}</td>`);
    expect(html).toContain('id="leaderboard-simulated"');
    expect(html).toMatch(
      /<li>alpaca-eval, tpo-sim-tpo vs tpo-sim-first: judged by tpo-sim at http:\/\/127\.0\.0\.1:\d+\/v1, prompt tpo:alpaca-eval-judge-v1 \(lb-annotations\.json\)<\/li>/,
    );
    expect(html).toMatch(/no LC win rate: it needs --gamed df_gamed\.csv/);

    // Not a scored file: one line, exit 2.
    const bad = await runCliInProcess([
      "report",
      file("results.jsonl"),
      "--out",
      page,
      "--leaderboard",
      file("questions.jsonl"),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  }, 300_000);

  it("style control on the simulated world's answers (no markdown) says which features it left out, never NaN", async () => {
    const judgments = file("sc-judgments.jsonl");
    const judged = await runCliInProcess(arenaArgs(judgments), { env: env(), timeoutMs: 120_000 });
    expect(judged.code, judged.stderr).toBe(0);
    const ours = file("tpo-sim-tpo.jsonl");
    const exported = await runCliInProcess([
      "export",
      file("results.jsonl"),
      "--format",
      "arena-hard",
      "--mode",
      "tpo",
      "--model-name",
      "tpo-sim-tpo",
      "--out",
      ours,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const scored = await runCliInProcess([
      "eval",
      "score",
      "arena-hard",
      judgments,
      "--baseline",
      "tpo-sim-first",
      "--style-control",
      "--answers",
      ours,
      file("tpo-sim-first.jsonl"),
    ]);
    expect(scored.code, scored.stderr).toBe(0);
    expect(scored.stdout).not.toMatch(/NaN/);
    expect(scored.stdout).toMatch(/^tpo-sim-tpo +\d+\.\d /m);
    expect(scored.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^tpo: style control left out header, list, bold: the same in every game/),
    ]);
  }, 300_000);
});
