import { readAnnotations } from "../../eval/alpaca-eval/annotations.js";
import { readGamedBaselines } from "../../eval/alpaca-eval/gamed-baselines.js";
import {
  isExtremeChange,
  type LengthControlledWinRate,
  lengthControlledWinRate,
} from "../../eval/alpaca-eval/length-controlled.js";
import { type WinRate, winRate } from "../../eval/alpaca-eval/win-rate.js";
import { readJudgments } from "../../eval/arena-hard/judgments.js";
import { type ArenaHardScore, arenaHardScores, formatInterval } from "../../eval/arena-hard/scores.js";
import { readAnswerMetadata, styleControlledScores } from "../../eval/arena-hard/style-control.js";
import { EvalInputError } from "../../eval/input-error.js";
import { TpoFileError } from "../../errors.js";
import { CliUsageError } from "../errors.js";
import { readTextInput } from "../read-input.js";
import { writeLine, type CliIo } from "../io.js";
import { judgeSummaryJson, type JudgeSummary } from "../eval/judge-footer.js";

export interface ScoreAlpacaEvalOptions {
  gamed?: string;
  json?: boolean;
  /** What `tpo eval alpaca-eval` judged: its JSON gets it as `judging`. */
  judging?: JudgeSummary;
}

export interface ScoreArenaHardOptions {
  baseline: string;
  category?: string;
  styleControl?: boolean;
  answers?: string[];
  seed: string;
  json?: boolean;
  /** What `tpo eval arena-hard` judged: its JSON gets it as `judging`. */
  judging?: JudgeSummary;
}

/** Bad input files are the user's to fix: one line and exit 2, like any usage error. */
export function asUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof EvalInputError) throw new CliUsageError(error.message);
    throw error;
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliUsageError(`${what} is not JSON.`);
  }
}

/** Prints the scores of an annotations file, and returns them. */
export function scoreAlpacaEvalAction(
  file: string,
  options: ScoreAlpacaEvalOptions,
  io: CliIo,
): AlpacaEvalResult {
  const annotations = asUsage(() =>
    readAnnotations(parseJson(readTextInput(file, "<annotations>"), file), file),
  );
  const gamed = options.gamed
    ? asUsage(() => readGamedBaselines(readTextInput(options.gamed!, "--gamed"), options.gamed))
    : undefined;
  const result: AlpacaEvalResult = gamed
    ? asUsage(() => lengthControlledWinRate(annotations, gamed))
    : winRate(annotations);
  if (options.json) {
    writeLine(
      io.stdout,
      JSON.stringify(
        {
          model: annotations.model,
          baseline: annotations.baseline,
          ...result,
          ...(options.judging ? { judging: judgeSummaryJson(options.judging) } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    writeLine(io.stdout, alpacaEvalText(annotations.model, annotations.baseline, result));
  }
  if (!gamed) {
    writeLine(
      io.stderr,
      "tpo: no LC win rate: it needs --gamed df_gamed.csv, from alpaca_eval's Hugging Face data set tatsu-lab/alpaca_eval (where alpaca_eval downloads it).",
    );
  }
  const warning = lcWarning(result);
  if (warning) writeLine(io.stderr, warning);
  return result;
}

export type AlpacaEvalResult = WinRate & Partial<LengthControlledWinRate>;

const rate = (value: number, error: number) => `${value.toFixed(2)} ± ${error.toFixed(2)}`;

/** The scores as text: the raw and the length-controlled win rate side by side ("-" without --gamed). */
export function alpacaEvalText(model: string, baseline: string, result: AlpacaEvalResult): string {
  const lc = result.length_controlled_winrate;
  return [
    `${model} against ${baseline} (${result.n_total} annotations)`,
    `                    raw             length-controlled`,
    `  win rate          ${rate(result.win_rate, result.standard_error).padEnd(16)}${lc === undefined ? "-" : rate(lc, result.lc_standard_error!)}`,
    `  discrete          ${result.discrete_win_rate.toFixed(2)}`,
    `  wins / losses / draws  ${result.n_wins} / ${result.n_wins_base} / ${result.n_draws}`,
    `  average length    ${result.avg_length} characters`,
  ].join("\n");
}

/**
 * alpaca_eval's warning when the LC rate is far from the raw one: below min(raw − raw/4, raw − 10)
 * or above max(raw + (100 − raw)/4, raw + 10) (`get_is_extreme_changes` in metrics/glm_winrate.py,
 * abs_diff 10, rel_diff 4; tatsu-lab/alpaca_eval at cd543a1); null when it is not, or without LC.
 */
export function lcWarning(result: AlpacaEvalResult): string | null {
  const lc = result.length_controlled_winrate;
  if (lc === undefined || !isExtremeChange(result.win_rate, lc)) return null;
  return (
    `tpo: the LC win rate (${lc.toFixed(1)}%) is very different from the raw one (${result.win_rate.toFixed(1)}%), ` +
    "beyond alpaca_eval's threshold (below min(raw - raw/4, raw - 10) or above max(raw + (100 - raw)/4, raw + 10)): " +
    "alpaca_eval warns that the GLM may have failed."
  );
}

/** Prints the scores of judgment files, and returns their rows. */
export function scoreArenaHardAction(
  files: string[],
  options: ScoreArenaHardOptions,
  io: CliIo,
): readonly ArenaHardScore[] {
  const seed = Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new CliUsageError(`--seed must be a whole number, got "${options.seed}".`);
  if (options.styleControl && !options.answers?.length) {
    throw new CliUsageError(
      "--style-control needs --answers: the model_answer files with each answer's metadata.",
    );
  }
  const judgments = asUsage(() =>
    readJudgments(files.map((source) => ({ source, text: readTextInput(source, "<judgments>") }))),
  );
  const categories = [...new Set(judgments.battles.map((b) => b.category))];
  if (!options.category && categories.length > 1) {
    throw new CliUsageError(
      `the judgments hold several categories (${categories.join(", ")}): choose one with --category.`,
    );
  }
  const battles = judgments.battles.filter((b) => !options.category || b.category === options.category);
  if (battles.length === 0) throw new CliUsageError("no judged games to score (check --category).");
  const rows = options.styleControl
    ? asUsage(() =>
        styleControlledScores(battles, answerMetadataOf(options.answers!), {
          baseline: options.baseline,
          seed,
        }),
      )
    : { rows: arenaHardScores(battles, { baseline: options.baseline, seed }), styleCoefficients: undefined };
  const constant = "constantFeatures" in rows ? rows.constantFeatures : [];
  if (constant.length > 0) {
    writeLine(
      io.stderr,
      `tpo: style control left out ${constant.join(", ")}: the same in every game (no answer differs from the baseline's in it), so it cannot be fitted; arena-hard-auto would print NaN scores.`,
    );
  }
  if (judgments.nullJudgments > 0) {
    writeLine(
      io.stderr,
      `tpo: ${judgments.nullJudgments} of ${judgments.judgments} judgments have a null game and are left out.`,
    );
  }
  if (options.json) {
    const judging = options.judging ? { judging: judgeSummaryJson(options.judging) } : {};
    writeLine(
      io.stdout,
      JSON.stringify({ ...rows, nullJudgments: judgments.nullJudgments, ...judging }, null, 2),
    );
    return rows.rows;
  }
  const width = Math.max(5, ...rows.rows.map((r) => r.model.length));
  writeLine(io.stdout, `${"Model".padEnd(width)}  Score (%)  CI (%)`);
  for (const row of rows.rows)
    writeLine(io.stdout, `${row.model.padEnd(width)}  ${scoreText(row).padStart(9)}  ${formatInterval(row)}`);
  return rows.rows;
}

function scoreText(row: ArenaHardScore): string {
  return (Math.round(row.score * 10) / 10).toFixed(1);
}

/** The metadata of the `--answers` files; a line that is not an answer is a usage error. */
function answerMetadataOf(files: string[]) {
  // One file at a time: a bad line is reported before the next file is read.
  const texts = function* () {
    for (const source of files) yield { source, text: readTextInput(source, "--answers") };
  };
  try {
    return readAnswerMetadata(texts());
  } catch (error) {
    if (error instanceof TpoFileError) throw new CliUsageError(error.message);
    throw error;
  }
}
