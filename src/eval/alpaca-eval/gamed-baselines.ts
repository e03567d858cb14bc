import { EvalInputError } from "../input-error.js";

/**
 * alpaca_eval's df_gamed.csv: the annotations of its two "gamed" baselines (the baseline model
 * prompted to be verbose, then concise) with each instruction's difficulty. The length-controlled
 * win rate trains on these rows too, weighted down, so that a model cannot game the length term.
 * alpaca_eval downloads it from the Hugging Face data set tatsu-lab/alpaca_eval (file df_gamed.csv).
 */
export interface GamedBaselines {
  readonly rows: readonly GamedRow[];
  /**
   * The difficulty of the instruction at each annotation position, as alpaca_eval looks it up:
   * `df_gamed.drop_duplicates("index")["instruction_difficulty"][g]` selects by the *row label*
   * (the CSV's row number) of each first occurrence, so position g of the annotations reads the
   * CSV's row g when that row is the first of its index; the file is laid out so that this is
   * instruction g.
   */
  readonly difficultyAtRow: ReadonlyMap<number, number>;
}

export interface GamedRow {
  /** Preference already on [0, 1] (null: none). */
  readonly preference: number | null;
  readonly stdDeltaLen: number;
  readonly instructionDifficulty: number;
  readonly notGamedBaseline: boolean;
}

const COLUMNS = [
  "model",
  "index",
  "preference",
  "std_delta_len",
  "instruction_difficulty",
  "not_gamed_baseline",
];

export function readGamedBaselines(csv: string, source = "df_gamed.csv"): GamedBaselines {
  const lines = csv.split(/\r?\n/).filter((line) => line !== "");
  const header = (lines[0] ?? "").split(",");
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new EvalInputError(
      source,
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: use df_gamed.csv from the Hugging Face data set tatsu-lab/alpaca_eval`,
    );
  }
  const at = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)]));
  const rows: GamedRow[] = [];
  const difficultyAtRow = new Map<number, number>();
  const seen = new Set<string>();
  lines.slice(1).forEach((line, r) => {
    const cells = line.split(",");
    const number = (column: string, allowEmpty = false): number => {
      const cell = cells[at[column]!] ?? "";
      if (allowEmpty && cell === "") return Number.NaN;
      const value = Number(cell);
      if (cell === "" || Number.isNaN(value)) {
        throw new EvalInputError(source, `row ${r + 1}: ${column} "${cell}" is not a number`);
      }
      return value;
    };
    const flag = cells[at["not_gamed_baseline"]!];
    if (flag !== "True" && flag !== "False") {
      throw new EvalInputError(
        source,
        `row ${r + 1}: not_gamed_baseline "${flag}" is neither True nor False`,
      );
    }
    const preference = number("preference", true);
    const row: GamedRow = {
      preference: Number.isNaN(preference) ? null : preference,
      stdDeltaLen: number("std_delta_len"),
      instructionDifficulty: number("instruction_difficulty"),
      notGamedBaseline: flag === "True",
    };
    rows.push(row);
    const index = cells[at["index"]!]!;
    if (!seen.has(index)) {
      seen.add(index);
      difficultyAtRow.set(r, row.instructionDifficulty);
    }
  });
  return { rows, difficultyAtRow };
}
