import { readAnnotations } from "../alpaca-eval/annotations.js";
import type { GamedBaselines } from "../alpaca-eval/gamed-baselines.js";
import { isExtremeChange, lengthControlledWinRate } from "../alpaca-eval/length-controlled.js";
import { winRate } from "../alpaca-eval/win-rate.js";
import { readJudgments } from "../arena-hard/judgments.js";
import { arenaHardScores } from "../arena-hard/scores.js";
import { isSimulatedJudge, judgeName } from "../compare/summary.js";
import { EvalInputError } from "../input-error.js";

/**
 * One row of the report's leaderboard: our model against the baseline, as one scored file says
 * (AlpacaEval's raw and length-controlled win rates, or the Arena-Hard score with its interval),
 * with the judge, prompt and baseline that the file records.
 */
export interface LeaderboardRow {
  readonly benchmark: "alpaca-eval" | "arena-hard";
  /** The file's name. */
  readonly source: string;
  readonly model: string;
  readonly baseline: string;
  /** Arena-Hard's category ("" when the judgments name none); null for AlpacaEval. */
  readonly category: string | null;
  readonly judge: string;
  readonly prompt: string;
  /** Annotations, or judgments, scored. */
  readonly n: number;
  /** AlpacaEval's raw (weighted) win rate and its standard error, in percent. */
  readonly winRate: number | null;
  readonly standardError: number | null;
  /** AlpacaEval's length-controlled win rate and its standard error (null without df_gamed.csv). */
  readonly lcWinRate: number | null;
  readonly lcStandardError: number | null;
  /** The Arena-Hard score (the baseline at 50) and its 5th–95th percentile bootstrap interval. */
  readonly score: number | null;
  readonly interval: readonly [number, number] | null;
  /** What the reader must know about the row: LC missing, LC far from raw, judgments left out. */
  readonly notes: readonly string[];
  /** Judged by the simulated world's judge. */
  readonly simulated: boolean;
}

export interface ScoredFile {
  readonly source: string;
  readonly text: string;
}

export const LC_NEEDS_GAMED =
  "no LC win rate: it needs --gamed df_gamed.csv, from alpaca_eval's Hugging Face data set tatsu-lab/alpaca_eval (where alpaca_eval downloads it)";

/** A judge as our eval commands record it (`tpo.judge`). */
interface RecordedJudge {
  model: string;
  baseUrl?: string;
  backend?: string;
}

function recordedJudge(row: Record<string, unknown>): RecordedJudge | undefined {
  const judge = (row["tpo"] as { judge?: RecordedJudge } | undefined)?.judge;
  return typeof judge?.model === "string" ? judge : undefined;
}

function recordedPrompt(row: Record<string, unknown>): string | undefined {
  const prompt = (row["tpo"] as { prompt?: unknown } | undefined)?.prompt;
  return typeof prompt === "string" ? prompt : undefined;
}

const isSimulated = (judge: RecordedJudge | undefined) => judge !== undefined && isSimulatedJudge(judge);

/** The distinct values, joined: one judge in a file we wrote, several only in a file put together by hand. */
const distinct = (values: readonly string[]) => [...new Set(values)].join(", ");

/**
 * The leaderboard rows of one scored file, its kind recognised from its text: a JSON array is
 * alpaca_eval's annotations (one row), JSON lines are arena-hard-auto's judgments (a row per
 * model and category, against the baseline the judgments name).
 */
export function leaderboardRowsOf(file: ScoredFile, gamed?: GamedBaselines): LeaderboardRow[] {
  const start = file.text.trimStart()[0];
  if (start === "[") return [alpacaEvalRow(file, gamed)];
  if (start === "{") return arenaHardRows(file);
  throw new EvalInputError(
    file.source,
    "is neither alpaca_eval's annotations (a JSON array, as tpo eval alpaca-eval writes) nor arena-hard-auto's judgments (JSON lines, as tpo eval arena-hard writes)",
  );
}

/** `tpo eval alpaca-eval --discrete` annotations are not the leaderboard's weighted preference: say so beside the prompt. */
function withMethod(row: Record<string, unknown>, prompt: string): string {
  const method = (row["tpo"] as { method?: unknown } | undefined)?.method;
  return method === "discrete" ? `${prompt} (discrete judge)` : prompt;
}

function alpacaEvalRow(file: ScoredFile, gamed: GamedBaselines | undefined): LeaderboardRow {
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch {
    throw new EvalInputError(file.source, "is not JSON: expected alpaca_eval's annotations");
  }
  const annotations = readAnnotations(json, file.source);
  const lc = gamed ? lengthControlledWinRate(annotations, gamed) : undefined;
  const result = lc ?? winRate(annotations);
  const rows = json as Record<string, unknown>[];
  const judges = rows.map(recordedJudge);
  const annotator = (row: Record<string, unknown>) =>
    typeof row["annotator"] === "string" ? row["annotator"] : "not recorded";
  const notes: string[] = [];
  if (!lc) notes.push(LC_NEEDS_GAMED);
  else if (isExtremeChange(result.win_rate, lc.length_controlled_winrate)) {
    notes.push("LC is far from the raw win rate, beyond alpaca_eval's threshold: the GLM may have failed");
  }
  return {
    benchmark: "alpaca-eval",
    source: file.source,
    model: annotations.model,
    baseline: annotations.baseline,
    category: null,
    judge: distinct(rows.map((row, i) => (judges[i] ? judgeName({ judge: judges[i] }) : annotator(row)))),
    prompt: distinct(rows.map((row) => withMethod(row, recordedPrompt(row) ?? annotator(row)))),
    n: result.n_total,
    winRate: result.win_rate,
    standardError: result.standard_error,
    lcWinRate: lc?.length_controlled_winrate ?? null,
    lcStandardError: lc?.lc_standard_error ?? null,
    score: null,
    interval: null,
    notes,
    simulated: judges.some(isSimulated),
  };
}

/** arena-hard-auto v2's hard_prompt baseline (`tpo eval score arena-hard`'s default): for judgments that name none. */
const DEFAULT_ARENA_HARD_BASELINE = "o3-mini-2025-01-31";

interface JudgmentLine {
  model: string;
  category: string;
  baseline: unknown;
  judge: string;
  prompt: string;
  simulated: boolean;
}

function arenaHardRows(file: ScoredFile): LeaderboardRow[] {
  const judgments = readJudgments([file]);
  // What readJudgments checked and scored; here only who judged, with which prompt, against whom.
  const lines: JudgmentLine[] = file.text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const row = JSON.parse(line) as Record<string, unknown>;
      const judge = recordedJudge(row);
      return {
        model: String(row["model"] ?? "")
          .split("/")
          .at(-1)!,
        category: typeof row["category"] === "string" ? row["category"] : "",
        baseline: row["baseline"],
        judge: judge
          ? judgeName({ judge })
          : typeof row["judge"] === "string"
            ? row["judge"]
            : "not recorded",
        prompt: recordedPrompt(row) ?? "not recorded",
        simulated: isSimulated(judge),
      };
    });
  const nullNote =
    judgments.nullJudgments > 0
      ? [`${judgments.nullJudgments} of ${judgments.judgments} judgments have a null game and are left out`]
      : [];
  const categories = [...new Set(judgments.battles.map((b) => b.category))];
  return categories.flatMap((category) => {
    const inCategory = lines.filter((l) => l.category === category);
    // arena-hard-auto's own judgments may not name it (show_result.py takes it from its settings)
    const named = [...new Set(inCategory.map((l) => l.baseline).filter((b) => b !== undefined))];
    if (named.length > 1 || named.some((b) => typeof b !== "string")) {
      throw new EvalInputError(
        file.source,
        `the judgments${category ? ` of category ${category}` : ""} must name one baseline in "baseline" (found ${named.map((b) => JSON.stringify(b)).join(", ")}): give one baseline's judgments per file`,
      );
    }
    const baseline = (named[0] as string | undefined) ?? DEFAULT_ARENA_HARD_BASELINE;
    const notes =
      named.length === 0
        ? [
            ...nullNote,
            `the judgments do not name their baseline: taken to be ${baseline}, arena-hard-auto v2's hard_prompt baseline`,
          ]
        : nullNote;
    const battles = judgments.battles.filter((b) => b.category === category);
    return arenaHardScores(battles, { baseline, seed: 0 })
      .filter((score) => score.model !== baseline)
      .map((score): LeaderboardRow => {
        const ofModel = inCategory.filter((l) => l.model === score.model);
        return {
          benchmark: "arena-hard",
          source: file.source,
          model: score.model,
          baseline,
          category,
          judge: distinct(ofModel.map((l) => l.judge)),
          prompt: distinct(ofModel.map((l) => l.prompt)),
          n: new Set(battles.filter((b) => b.model === score.model).map((b) => b.uid)).size,
          winRate: null,
          standardError: null,
          lcWinRate: null,
          lcStandardError: null,
          score: score.score,
          interval: [score.lower, score.upper],
          notes,
          simulated: ofModel.some((l) => l.simulated),
        };
      });
  });
}
