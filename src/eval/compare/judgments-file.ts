import { existsSync } from "node:fs";
import { TpoFileError } from "../../errors.js";
import {
  previousResults,
  scanResults,
  warnBadLines,
  type RecordsOf,
  type Warn,
} from "../batch/results-file.js";
import { JudgmentSchema, type Game, type JudgeDescription, type Judgment } from "./judgment.js";
import { judgeName } from "./summary.js";

/** What a summary reads of a judgment: all of it but the rationales, which may be long. */
function withoutRationales(judgment: Judgment): Judgment {
  const game = (g: Game): Game => ({ ...g, rationale: "" });
  return { ...judgment, games: [game(judgment.games[0]), game(judgment.games[1])] };
}

/** A compare file's judgments, by pair id (a pair judged again replaces its earlier judgment). */
const JUDGMENTS: RecordsOf<Judgment> = {
  schema: JudgmentSchema,
  key: (judgment) => judgment.id,
  view: withoutRationales,
};

function sidesOf(judgments: Iterable<Judgment>): string[] {
  return [...new Set([...judgments].map((j) => `${j.a} vs ${j.b}`))];
}

/** Whether two descriptions name the same judge: the same model, on the same server. */
export function sameJudge(x: JudgeDescription, y: JudgeDescription): boolean {
  return (
    x.model === y.model && (x.baseUrl ?? "") === (y.baseUrl ?? "") && (x.backend ?? "") === (y.backend ?? "")
  );
}

/**
 * What an earlier run left in the compare file: nothing, or with --resume its judgments by pair id.
 * A compare file holds one comparison: judgments of other sides are a usage error; so are
 * judgments of another judge (model or server), unless `allowMixedJudges`: then the summary keeps
 * each judge's verdicts apart.
 */
export function previousJudgments(
  path: string,
  options: { resume?: boolean; overwrite?: boolean; allowMixedJudges?: boolean },
  sides: { a: string; b: string },
  judge: JudgeDescription,
  warn?: Warn,
): Map<string, Judgment> {
  const previous = previousResults(path, options, "tpo compare", JUDGMENTS, warn);
  const other = sidesOf([...previous.values()].filter((j) => j.a !== sides.a || j.b !== sides.b));
  if (other.length > 0) {
    throw new TpoFileError(
      `--out ${path} holds a comparison of ${other.join(", ")}, not of ${sides.a} vs ${sides.b}: ` +
        "give another --out, or --overwrite to start it again.",
    );
  }
  const others = [
    ...new Set([...previous.values()].filter((j) => !sameJudge(j.judge, judge)).map((j) => judgeName(j))),
  ];
  if (others.length > 0 && !options.allowMixedJudges) {
    throw new TpoFileError(
      `--out ${path} was judged by ${others.join(", ")}, not by ${judgeName({ judge })} (this run's judge): ` +
        "resume with the same judge, or pass --allow-mixed-judges to add this judge's verdicts (the summary keeps the judges apart).",
    );
  }
  return previous;
}

/**
 * The judgments of a compare file, for `tpo report --compare`: one comparison, at least one pair,
 * with their rationales (each query's page shows them; a compare file keeps at most
 * RATIONALE_MAX_CHARS of each).
 */
export function readJudgments(path: string, flag: string, warn: Warn = () => {}): Judgment[] {
  if (!existsSync(path)) throw new TpoFileError(`${flag}: file not found: ${path}`);
  const latest = new Map<string, Judgment>();
  const scan = scanResults(path, JUDGMENTS.schema, (j) => latest.set(j.id, j));
  if (scan.torn !== null) warn(`ignoring the cut-short last line of ${path}.`);
  warnBadLines(path, scan, warn);
  const judgments = [...latest.values()];
  if (judgments.length === 0) throw new TpoFileError(`${flag}: ${path} has no judgments.`);
  const sides = sidesOf(judgments);
  if (sides.length > 1) {
    throw new TpoFileError(
      `${flag}: ${path} mixes comparisons (${sides.join(", ")}); give one file per comparison.`,
    );
  }
  return judgments;
}
