import { TpoFileError } from "../../errors.js";
import { EvalInputError } from "../input-error.js";
import { randomIndex, seededRandom } from "../seeded-random.js";
import { mean, quantile, sampleStd } from "../stats.js";
import type { Battle } from "./judgments.js";
import type { ArenaHardScore } from "./scores.js";

/**
 * An answer's `metadata` in arena-hard-auto v2 (utils/add_markdown_info.py): its length in tokens
 * and its markdown counts outside code blocks, each count either a number or a map of numbers that
 * is summed (h1…h6, ordered/unordered, ** and __).
 */
export interface AnswerMetadata {
  readonly token_len: number;
  readonly header_count: number | Readonly<Record<string, number>>;
  readonly list_count: number | Readonly<Record<string, number>>;
  readonly bold_count: number | Readonly<Record<string, number>>;
}

/** Metadata of each model's answers: model (as judged) → question uid → metadata. */
export type StyleMetadata = ReadonlyMap<string, ReadonlyMap<string, AnswerMetadata>>;

/**
 * The metadata of arena-hard-auto `model_answer` files (JSON lines with uid, model and metadata),
 * by model and question; a line that is not an answer is a TpoFileError naming its file and line.
 */
export function readAnswerMetadata(files: Iterable<{ source: string; text: string }>): StyleMetadata {
  const byModel = new Map<string, Map<string, AnswerMetadata>>();
  for (const { source, text } of files) {
    text.split("\n").forEach((line, n) => {
      if (line.trim() === "") return;
      let row: { uid?: string; model?: string; metadata?: AnswerMetadata };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        throw new TpoFileError(`${source} line ${n + 1} is not JSON.`);
      }
      if (!row.uid || !row.model || !row.metadata) {
        throw new TpoFileError(`${source} line ${n + 1}: an answer needs uid, model and metadata.`);
      }
      const answers = byModel.get(row.model) ?? new Map<string, AnswerMetadata>();
      answers.set(row.uid, row.metadata);
      byModel.set(row.model, answers);
    });
  }
  return byModel;
}

export type StyleFeatures = "length" | "markdown" | "length+markdown";

export interface StyleControlOptions {
  readonly baseline: string;
  readonly features?: StyleFeatures;
  readonly rounds?: number;
  readonly seed?: number;
}

export interface StyleControlledScores {
  readonly rows: ArenaHardScore[];
  /** Median over the bootstrap of each style coefficient (length, headers, lists, bold) that was fitted. */
  readonly styleCoefficients: Readonly<Record<string, number>>;
  /**
   * Style features asked for but left out because they are the same in every game (no answer has
   * any markdown, say): they carry no information, and normalising them divides 0 by 0, which
   * gives arena-hard-auto NaN scores.
   */
  readonly constantFeatures: readonly string[];
}

const STYLE_NAMES = ["length", "header", "list", "bold"];

/**
 * show_result.py's print_leaderboard_with_style_features: a Bradley-Terry model (logistic
 * regression without intercept, no penalty) on one column per model (+1 for the model, −1 for the
 * baseline) and the normalised style differences between the model's and the baseline's answers,
 * fitted on 100 bootstrap resamples of the games; a model's score is the median over the
 * resamples of σ(β_model − β_baseline), its interval the 5th and 95th percentiles.
 */
export function styleControlledScores(
  battles: readonly Battle[],
  metadata: StyleMetadata,
  options: StyleControlOptions,
): StyleControlledScores {
  const { x, y, models, free, kept, constant } = styleDesign(
    battles,
    metadata,
    options.baseline,
    options.features,
  );
  const random = seededRandom(options.seed ?? 0);
  // The games of one judgment share their features: fit on one row per judgment, weighted by the
  // games drawn and with their mean score as target (the same loss, a fraction of the rows).
  const groupOf = judgmentGroups(battles);
  const groupRows: (readonly number[])[] = [];
  groupOf.forEach((g, i) => (groupRows[g] ??= x[i]!));
  const fits = Array.from({ length: options.rounds ?? 100 }, () => {
    const drawn = new Array<number>(groupRows.length).fill(0);
    const won = new Array<number>(groupRows.length).fill(0);
    for (let n = 0; n < x.length; n++) {
      const i = randomIndex(random, x.length);
      drawn[groupOf[i]!]!++;
      won[groupOf[i]!]! += y[i]!;
    }
    return fitBradleyTerry(
      groupRows,
      won.map((w, g) => (drawn[g]! > 0 ? w / drawn[g]! : 0)),
      drawn,
    );
  });
  const rows = models.map((model): ArenaHardScore => {
    const j = free.indexOf(model);
    const probabilities = fits.map((beta) => (j < 0 ? 0.5 : 1 / (1 + Math.exp(-beta[j]!))));
    return {
      model,
      score: quantile(probabilities, 0.5) * 100,
      lower: quantile(probabilities, 0.05) * 100,
      upper: quantile(probabilities, 0.95) * 100,
      battles: battles.filter((b) => b.model === model).length,
    };
  });
  const styleCoefficients = Object.fromEntries(
    kept.map((k, n) => [
      STYLE_NAMES[k]!,
      quantile(
        fits.map((beta) => beta[free.length + n]!),
        0.5,
      ),
    ]),
  );
  return {
    rows: rows.sort((a, b) => b.score - a.score),
    styleCoefficients,
    constantFeatures: constant.map((k) => STYLE_NAMES[k]!),
  };
}

/**
 * The design of the style-controlled Bradley-Terry fit: one column per model other than the
 * baseline (+1 on the model's games; β_baseline is fixed at 0, as only differences are identified
 * and reported), then the kept style columns; y is the model's score in each game. A style
 * column that is constant over the games is left out (`constant`): centred it is all zeros.
 */
export function styleDesign(
  battles: readonly Battle[],
  metadata: StyleMetadata,
  baseline: string,
  features: StyleFeatures = "length+markdown",
) {
  const style = normalise(
    battles.map((b) =>
      styleDifference(metadataOf(metadata, b.modelAsJudged, b.uid), metadataOf(metadata, baseline, b.uid)),
    ),
  );
  const asked = features === "length" ? [0] : features === "markdown" ? [1, 2, 3] : [0, 1, 2, 3];
  const varies = (k: number) => style.some((row) => Number.isFinite(row[k]));
  const kept = asked.filter(varies);
  const constant = asked.filter((k) => !varies(k));
  const models = [...new Set([...battles.map((b) => b.model), baseline])].sort();
  const free = models.filter((m) => m !== baseline);
  const x = battles.map((b, i) => [
    ...free.map((m) => (m === b.model ? 1 : 0)),
    ...kept.map((k) => style[i]![k]!),
  ]);
  return { x, y: battles.map((b) => b.score), models, free, kept, constant };
}

/** The index of each battle's (model, question) pair, numbered in order of first appearance. */
function judgmentGroups(battles: readonly Battle[]): number[] {
  const index = new Map<string, number>();
  return battles.map((b) => {
    const key = `${b.modelAsJudged}\u0000${b.uid}`;
    if (!index.has(key)) index.set(key, index.size);
    return index.get(key)!;
  });
}

function metadataOf(metadata: StyleMetadata, model: string, uid: string): number[] {
  const m = metadata.get(model)?.get(uid);
  if (m === undefined) {
    throw new EvalInputError(
      "metadata",
      `no answer metadata for model "${model}", question ${uid}: style control needs every answer's metadata (token_len and markdown counts)`,
    );
  }
  const total = (v: number | Readonly<Record<string, number>>) =>
    typeof v === "number" ? v : Object.values(v).reduce((s, n) => s + n, 0);
  return [m.token_len, total(m.header_count), total(m.list_count), total(m.bold_count)];
}

/** Length as (a − b)/(a + b); markdown as densities per token, (a − b)/(a + b + 1). */
function styleDifference(model: number[], baseline: number[]): number[] {
  const length = (model[0]! - baseline[0]!) / (model[0]! + baseline[0]!);
  const markdown = [1, 2, 3].map((k) => {
    const a = model[k]! / (model[0]! + 1);
    const b = baseline[k]! / (baseline[0]! + 1);
    return (a - b) / (a + b + 1);
  });
  return [length, ...markdown];
}

/** Each column to mean 0 and (sample) standard deviation 1, as torch's mean and std do. */
function normalise(rows: number[][]): number[][] {
  const columns = rows[0]?.length ?? 0;
  const stats = Array.from({ length: columns }, (_, k) => {
    const column = rows.map((r) => r[k]!);
    return { mean: mean(column), std: sampleStd(column) };
  });
  return rows.map((r) => r.map((v, k) => (v - stats[k]!.mean) / stats[k]!.std));
}

/**
 * The Bradley-Terry fit: minimise Σ BCE(x·β, y) by Newton's method to convergence. arena-hard-auto
 * runs 50 iterations of torch's L-BFGS (lr 0.1) in float32 from β = 0.5; where that stops short of
 * the optimum our coefficients differ (docs/evaluation.md).
 */
export function fitBradleyTerry(
  x: readonly (readonly number[])[],
  y: readonly number[],
  weight: readonly number[] = x.map(() => 1),
): number[] {
  const d = x[0]?.length ?? 0;
  // each row has one model column and the style columns: iterate over its non-zeros only
  const nonZero = x.map((row) => row.flatMap((v, j) => (v !== 0 ? [j] : [])));
  let beta = new Array<number>(d).fill(0);
  for (let iteration = 0; iteration < 100; iteration++) {
    const gradient = new Array<number>(d).fill(0);
    const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < x.length; i++) {
      const n = weight[i]!;
      if (n === 0) continue;
      const row = x[i]!;
      const columns = nonZero[i]!;
      let z = 0;
      for (const j of columns) z += row[j]! * beta[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = n * (p - y[i]!);
      const h = n * p * (1 - p);
      for (const j of columns) {
        gradient[j]! += g * row[j]!;
        for (const k of columns) hessian[j]![k]! += h * row[j]! * row[k]!;
      }
    }
    const step = solve(
      hessian.map((r, j) => r.map((v, k) => (j === k ? v + 1e-9 : v))),
      gradient,
    );
    beta = beta.map((b, j) => b - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return beta;
}

/** Gaussian elimination with partial pivoting: A s = b. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const s = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let v = m[r]![n]!;
    for (let k = r + 1; k < n; k++) v -= m[r]![k]! * s[k]!;
    s[r] = v / m[r]![r]!;
  }
  return s;
}
