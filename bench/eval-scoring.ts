/**
 * Scoring time of `tpo eval score` (issue 30's targets: 805 AlpacaEval annotations with LC under
 * 2 s, 10 models' Arena-Hard judgments under 5 s). Part of `npm run bench` (measure `evalScoring`,
 * `npm run bench -- --only evalScoring`); standalone: `npx tsx bench/eval-scoring.ts`.
 * The annotations are alpaca-7b's published ones and the stand-in df_gamed.csv of
 * tests/fixtures/alpaca-eval-scoring; the Arena-Hard set is 10 models × 500 questions built here.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { readAnnotations } from "../src/eval/alpaca-eval/annotations.js";
import { readGamedBaselines } from "../src/eval/alpaca-eval/gamed-baselines.js";
import { lengthControlledWinRate } from "../src/eval/alpaca-eval/length-controlled.js";
import { readJudgments } from "../src/eval/arena-hard/judgments.js";
import { arenaHardScores } from "../src/eval/arena-hard/scores.js";
import { type AnswerMetadata, styleControlledScores } from "../src/eval/arena-hard/style-control.js";

const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "tests",
  "fixtures",
  "alpaca-eval-scoring",
);
const VERDICTS = ["A>>B", "A>B", "A=B", "B>A", "B>>A"];

function medianMs(work: () => unknown, runs = 5): number {
  const times = Array.from({ length: runs }, () => {
    const start = performance.now();
    work();
    return performance.now() - start;
  }).sort((a, b) => a - b);
  return Math.round(times[Math.floor(runs / 2)]!);
}

function arenaHardSet() {
  const style = (s: number): AnswerMetadata => ({
    token_len: 300 + (s % 700),
    header_count: { h1: s % 3 },
    list_count: { ordered: s % 5, unordered: s % 4 },
    bold_count: { "**": s % 6 },
  });
  const metadata = new Map<string, Map<string, AnswerMetadata>>();
  metadata.set("baseline", new Map(Array.from({ length: 500 }, (_, q) => [`q${q}`, style(q * 13)])));
  const lines: string[] = [];
  for (let m = 0; m < 10; m++) {
    metadata.set(
      `model-${m}`,
      new Map(Array.from({ length: 500 }, (_, q) => [`q${q}`, style(q * 7 + m * 31)])),
    );
    for (let q = 0; q < 500; q++) {
      const games = [{ score: VERDICTS[(q * 3 + m) % 5] }, { score: VERDICTS[(q * 7 + m * 2) % 5] }];
      lines.push(JSON.stringify({ uid: `q${q}`, model: `model-${m}`, category: "hard_prompt", games }));
    }
  }
  return { text: lines.join("\n"), metadata };
}

/** Issue 30's targets, in milliseconds. */
export const EVAL_SCORING_TARGETS = { alpacaEvalLc805Ms: 2000, arenaHard10ModelsMs: 5000 };

export interface EvalScoringMeasure {
  /** Medians of 5 runs (3 with style control), in process. */
  alpacaEvalLc805Ms: number;
  arenaHard10ModelsMs: number;
  arenaHard10ModelsStyleControlMs: number;
}

export function measureEvalScoring(): EvalScoringMeasure {
  const annotationsText = gunzipSync(
    readFileSync(join(FIXTURES, "annotations", "alpaca-7b.json.gz")),
  ).toString();
  const gamedText = readFileSync(join(FIXTURES, "df_gamed.csv"), "utf8");
  const arena = arenaHardSet();
  const scoreArena = (styleControl: boolean) => {
    const { battles } = readJudgments([{ source: "bench", text: arena.text }]);
    return styleControl
      ? styleControlledScores(battles, arena.metadata, { baseline: "baseline" })
      : arenaHardScores(battles, { baseline: "baseline" });
  };
  return {
    alpacaEvalLc805Ms: medianMs(() =>
      lengthControlledWinRate(readAnnotations(JSON.parse(annotationsText)), readGamedBaselines(gamedText)),
    ),
    arenaHard10ModelsMs: medianMs(() => scoreArena(false)),
    arenaHard10ModelsStyleControlMs: medianMs(() => scoreArena(true), 3),
  };
}

/** The rows of RESULTS.md's section. */
export function renderEvalScoring(m: EvalScoringMeasure): string {
  const row = (measure: string, ms: number, target?: number) =>
    `| ${measure} | ${ms} ms | ${target === undefined ? "–" : `< ${target} ms`} | ${target === undefined ? "–" : ms < target ? "met" : "MISSED"} |`;
  return [
    "| measure | median | target | verdict |",
    "| --- | --- | --- | --- |",
    row(
      "LC win rate, 805 annotations (50 L1 fits for the CV, one refit)",
      m.alpacaEvalLc805Ms,
      EVAL_SCORING_TARGETS.alpacaEvalLc805Ms,
    ),
    row(
      "Arena-Hard, 10 models × 500 questions (18 000 games), bootstrap",
      m.arenaHard10ModelsMs,
      EVAL_SCORING_TARGETS.arenaHard10ModelsMs,
    ),
    row(
      "the same with style control (100 Bradley-Terry fits)",
      m.arenaHard10ModelsStyleControlMs,
      EVAL_SCORING_TARGETS.arenaHard10ModelsMs,
    ),
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(measureEvalScoring(), null, 2));
}
