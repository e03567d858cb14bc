import { EvalInputError } from "../input-error.js";

/**
 * One row of alpaca_eval's annotations.json: output_1 is the baseline's answer, output_2 the
 * model's, and preference is 1 (baseline wins) … 2 (model wins), 0 or 1.5 a draw, null when the
 * judge gave none. A weighted judge gives any value in [1, 2].
 */
export interface Annotation {
  readonly output1: string;
  readonly output2: string;
  readonly preference: number | null;
}

export interface Annotations {
  /** generator_1: the baseline. */
  readonly baseline: string;
  /** generator_2: the model being scored. */
  readonly model: string;
  readonly rows: readonly Annotation[];
}

/**
 * Reads annotations in alpaca_eval's format (the parsed JSON array). The preference may be a
 * number or a numeric string; generator_1 and generator_2 must each name one model throughout,
 * as alpaca_eval's length-controlled win rate asserts.
 */
export function readAnnotations(json: unknown, source = "annotations"): Annotations {
  if (!Array.isArray(json) || json.length === 0) {
    throw new EvalInputError(
      source,
      "expected a non-empty JSON array of annotations (alpaca_eval's annotations.json)",
    );
  }
  const first = json[0] as Record<string, unknown>;
  const baseline = textField(first, "generator_1", 0, source);
  const model = textField(first, "generator_2", 0, source);
  const rows = json.map((item: unknown, i): Annotation => {
    if (typeof item !== "object" || item === null)
      throw new EvalInputError(source, `row ${i} is not an object`);
    const row = item as Record<string, unknown>;
    for (const [column, expected] of [
      ["generator_1", baseline],
      ["generator_2", model],
    ] as const) {
      const found = textField(row, column, i, source);
      if (found !== expected) {
        throw new EvalInputError(
          source,
          `${column} changes at row ${i} ("${expected}" then "${found}"): score one model against one baseline per file`,
        );
      }
    }
    return {
      output1: textField(row, "output_1", i, source),
      output2: textField(row, "output_2", i, source),
      preference: preferenceOf(row["preference"], i, source),
    };
  });
  return { baseline, model, rows };
}

function textField(row: Record<string, unknown>, column: string, i: number, source: string): string {
  const value = row[column];
  if (typeof value !== "string") throw new EvalInputError(source, `row ${i} has no text in "${column}"`);
  return value;
}

/** 0, 1.5 (draws) and [1, 2]; null, NaN and a missing value mean "no preference". */
function preferenceOf(value: unknown, i: number, source: string): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number")
    throw new EvalInputError(source, `row ${i}: preference ${JSON.stringify(value)} is not a number`);
  if (Number.isNaN(n)) return null;
  if (n === 0 || (n >= 1 && n <= 2)) return n;
  throw new EvalInputError(
    source,
    `row ${i}: preference ${JSON.stringify(value)} is outside alpaca_eval's scale (1 = baseline wins … 2 = model wins, 0 or 1.5 = draw)`,
  );
}

/** A string's length as Python's len() counts it (code points), which alpaca_eval's lengths use. */
export function pythonLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
