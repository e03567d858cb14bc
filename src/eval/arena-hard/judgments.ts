import { EvalInputError } from "../input-error.js";

/**
 * One scored game of arena-hard-auto: the model's result against the baseline on one question,
 * 1 a win, 0.5 a tie, 0 a loss. A judgment (two games, both orders) gives several: a strong verdict
 * (A>>B) counts as three.
 */
export interface Battle {
  readonly uid: string;
  /** The model, with any path before its last "/" removed, as show_result.py does. */
  readonly model: string;
  /** As written in the judgment (metadata is looked up under this name). */
  readonly modelAsJudged: string;
  readonly category: string;
  readonly score: number;
}

export interface Judgments {
  readonly battles: readonly Battle[];
  /** Judgments left out because a game or its verdict is null, counted as show_result.py counts them. */
  readonly nullJudgments: number;
  readonly judgments: number;
}

/** A strong verdict's weight in show_result.py's load_judgments. */
export const STRONG_VERDICT_WEIGHT = 3;

/** Each verdict's scores for model A (the first answer shown to the judge). */
export function scoresForA(label: string): number[] | undefined {
  const w = STRONG_VERDICT_WEIGHT;
  const table: Record<string, number[]> = {
    "A>B": [1],
    "A>>B": new Array(w).fill(1),
    "A=B": [0.5],
    "A<<B": new Array(w).fill(0),
    "A<B": [0],
    "B>A": [0],
    "B>>A": new Array(w).fill(0),
    "B=A": [0.5],
    "B<<A": new Array(w).fill(1),
    "B<A": [1],
  };
  return Object.hasOwn(table, label) ? table[label] : undefined;
}

/**
 * Reads arena-hard-auto judgment files (JSON lines with uid, model, category and two games). In
 * game 1 the baseline is A and the model B; in game 2 the order is swapped. So the model's scores
 * are game 2's scores for A, then one minus game 1's.
 */
export function readJudgments(files: readonly { source: string; text: string }[]): Judgments {
  const battles: Battle[] = [];
  let nullJudgments = 0;
  let judgments = 0;
  for (const { source, text } of files) {
    text.split("\n").forEach((line, n) => {
      if (line.trim() === "") return;
      judgments++;
      const where = `line ${n + 1}`;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new EvalInputError(
          source,
          `${where} is not JSON: expected one arena-hard-auto judgment per line`,
        );
      }
      const games = row["games"];
      if (!Array.isArray(games) || games.length !== 2) {
        throw new EvalInputError(source, `${where}: "games" must hold the two games (both orders)`);
      }
      const [first, second] = games.map((g) => (g as { score?: unknown } | null)?.score ?? null);
      if (first === null || second === null) {
        nullJudgments++;
        return;
      }
      const model = String(row["model"] ?? "");
      if (typeof row["uid"] !== "string" || model === "") {
        throw new EvalInputError(source, `${where}: a judgment needs "uid" and "model"`);
      }
      const a2 = scoresForA(String(second));
      const a1 = scoresForA(String(first));
      if (a1 === undefined || a2 === undefined) {
        throw new EvalInputError(
          source,
          `${where}: verdict ${JSON.stringify(a1 === undefined ? first : second)} is not one of A>>B, A>B, A=B, B>A, B>>A (or their mirror forms)`,
        );
      }
      for (const score of [...a2, ...a1.map((s) => 1 - s)]) {
        battles.push({
          uid: row["uid"],
          model: model.split("/").at(-1)!,
          modelAsJudged: model,
          category: typeof row["category"] === "string" ? row["category"] : "",
          score,
        });
      }
    });
  }
  return { battles, nullJudgments, judgments };
}
