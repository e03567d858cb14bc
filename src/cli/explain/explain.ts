import { bestAndWorst } from "../../nodes/select.js";
import type { TpoMode } from "../../settings/run-settings.js";
import type { Candidate, HistoryRecord, ScoredRef } from "../../state/state.js";
import { CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { formatNumber } from "../../util/number-format.js";
import type { Style } from "./style.js";
import { diffWords, renderDiff, type DiffPart } from "../../util/word-diff.js";

/** `--explain` shortens long texts; `--explain=full` prints them whole. */
export type ExplainLevel = "short" | "full";

export const EXPLAIN_LEVELS: readonly ExplainLevel[] = ["short", "full"];

export interface ExplainOptions {
  level: ExplainLevel;
  depth: number;
  mode: TpoMode;
  style: Style;
}

/** Characters of a response's first line, and of each critique or gradient line, when shortened. */
const SHORT_LINE = 96;
/** Lines of a critique, a gradient or a diff when shortened. */
const SHORT_LINES = 6;
/** Shared words kept around each change of a shortened diff. */
const DIFF_CONTEXT = 4;
/** Characters of changed text a shortened diff shows before it stops. */
const DIFF_BUDGET = 480;

const LABEL_WIDTH = 10;
const INDENT = "  ";
const CONTINUATION = " ".repeat(INDENT.length + LABEL_WIDTH);

/** A model's text as the explanation shows it: line ends as "\n", other control characters as escapes. */
function printable(text: string): string {
  return escapeControl(text.replace(/\r\n/g, "\n"));
}

/** An escape that `escapeControl` writes (`\u001b`), cut short at the end of a text. */
const PARTIAL_ESCAPE = /\\(u[0-9a-f]{0,3})?$/;

/**
 * At most `max` characters, cut at a word boundary when one is near, with "…" for the rest; never
 * inside an escape that stands for a control character, nor inside a surrogate pair.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max - 1);
  const space = head.lastIndexOf(" ");
  if (space > max * 0.7) head = head.slice(0, space);
  head = head.replace(/[\uD800-\uDBFF]$/, "").replace(PARTIAL_ESCAPE, "");
  return `${head.trimEnd()}…`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A labelled block: the first line beside the label, the rest aligned under it. */
function field(label: string, lines: string[], style: Style, paint = style.dim): string[] {
  const [first = "", ...rest] = lines;
  return [
    `${INDENT}${paint(label.padEnd(LABEL_WIDTH))}${first}`,
    ...rest.map((line) => (line === "" ? "" : `${CONTINUATION}${line}`)),
  ];
}

/** The lines of a critique or gradient: all of them, or the first few, each cut short. */
function textLines(text: string | null, options: ExplainOptions, what: string): string[] {
  if (text === null || text.trim() === "") return [options.style.dim(`(no ${what})`)];
  const lines = printable(text)
    .trim()
    .split("\n")
    .map((line) => line.trimEnd());
  if (options.level === "full") return lines;
  const kept = lines.filter((line) => line.trim() !== "");
  const shown = kept.slice(0, SHORT_LINES).map((line) => cut(line, SHORT_LINE));
  const hidden = kept.length - shown.length;
  if (hidden > 0)
    shown.push(options.style.dim(`… ${plural(hidden, "more line")} (--explain=full shows all)`));
  return shown;
}

/** A response as one line: its first non-empty line (cut short unless full) and how many lines follow. */
export function firstLine(text: string, level: ExplainLevel, style: Style): string {
  const lines = text.trim().split("\n");
  const first = lines[0].trim();
  const more = lines.length - 1;
  const shown = level === "full" ? first : cut(first, SHORT_LINE);
  return more > 0 ? `${shown} ${style.dim(`(+${plural(more, "line")})`)}` : shown;
}

function response(ref: ScoredRef, pool: Candidate[], options: ExplainOptions): string {
  const text = pool.find((c) => c.id === ref.id)?.text;
  const line =
    text === undefined
      ? options.style.dim("(not in the pool)")
      : firstLine(printable(text), options.level, options.style);
  return `${formatNumber(ref.score)}  ${line}`;
}

/** The best candidate once iteration `iteration` was scored: the pool as it stood then. */
function bestAt(pool: Candidate[], iteration: number): (Candidate & { score: number }) | null {
  return bestAndWorst(pool.filter((c) => c.iteration <= iteration))?.best ?? null;
}

function newCandidatesLine(record: HistoryRecord): string {
  const s = record.scores;
  const parts = [
    s
      ? `${plural(record.candidates, "candidate")} scored ${formatNumber(s.min)}–${formatNumber(s.max)}`
      : "no new candidates",
  ];
  if (record.untagged > 0) parts.push(`${plural(record.untagged, "rewrite")} without the response tags`);
  if (record.failures > 0) parts.push(`${plural(record.failures, "failed sample")}`);
  return parts.join(", ");
}

function whyNoRejected(mode: TpoMode): string {
  return mode === "revision"
    ? "none: mode revision critiques the chosen response alone"
    : "none: every candidate has the same score";
}

/** The first parts of a diff whose changed text fits the budget, and how many changes did not. */
function withinBudget(parts: DiffPart[], budget: number): { shown: DiffPart[]; hidden: number } {
  let used = 0;
  let end = 0;
  while (end < parts.length && used <= budget) {
    if (parts[end].type !== "same") used += parts[end].text.length;
    end++;
  }
  const hidden = parts.slice(end).filter((part) => part.type !== "same").length;
  return { shown: hidden > 0 ? parts.slice(0, end) : parts, hidden };
}

/** The word-level diff from the previous best to the new one, cut to the changes unless full. */
function diffLines(before: string, after: string, options: ExplainOptions): string[] {
  const parts = diffWords(printable(before), printable(after));
  const marks = options.style.diff;
  if (options.level === "full") return renderDiff(parts, { marks }).trim().split("\n");
  const { shown, hidden } = withinBudget(parts, DIFF_BUDGET);
  const text = renderDiff(shown, { context: DIFF_CONTEXT, marks });
  const lines = text
    .trim()
    .split("\n")
    .map((line) => line.trimEnd());
  const kept = lines.slice(0, SHORT_LINES);
  const more = hidden > 0 || lines.length > kept.length;
  return more ? [...kept, options.style.dim("… (--explain=full shows the whole diff)")] : kept;
}

function explainSampling(record: HistoryRecord, pool: Candidate[], options: ExplainOptions): string[] {
  const { style } = options;
  const lines = [
    style.bold(`iteration 0: first samples`),
    ...field("new", [newCandidatesLine(record)], style),
  ];
  const best = bestAt(pool, 0);
  if (best) lines.push(...field("best", [response(best, pool, options)], style, style.good));
  return lines;
}

function explainStep(record: HistoryRecord, pool: Candidate[], options: ExplainOptions): string[] {
  const { style } = options;
  const lines = [style.bold(`iteration ${record.iteration} of ${options.depth}`)];
  if (record.chosen)
    lines.push(...field("chosen", [response(record.chosen, pool, options)], style, style.good));
  lines.push(
    ...field(
      "rejected",
      [record.rejected ? response(record.rejected, pool, options) : style.dim(whyNoRejected(options.mode))],
      style,
      style.bad,
    ),
    ...field("critique", textLines(record.critique, options, "critique"), style),
    ...field("gradient", textLines(record.gradient, options, "gradient"), style),
    ...field("new", [newCandidatesLine(record)], style),
  );
  const before = record.chosen
    ? pool.find((c) => c.id === record.chosen!.id)
    : bestAt(pool, record.iteration - 1);
  const after = bestAt(pool, record.iteration);
  if (!after) return lines;
  if (!before || before.id === after.id) {
    lines.push(
      ...field("best", [`${formatNumber(after.score)}  unchanged: no new candidate beat it`], style),
    );
    return lines;
  }
  const gain =
    before.score === null
      ? ""
      : ` (${after.score >= before.score ? "+" : ""}${formatNumber(after.score - before.score)} over ${formatNumber(before.score)})`;
  lines.push(
    ...field(
      "new best",
      [`${formatNumber(after.score)}${gain}, written in iteration ${after.iteration}`],
      style,
      style.good,
    ),
    ...field("diff", diffLines(before.text, after.text, options), style),
  );
  return lines;
}

/**
 * What happened in one iteration, for a person to read: the pair the critic compared, the
 * critique and the gradient, and how the best response changed (a word-level diff). The texts
 * come from models: their control characters are written as escapes, so that an answer cannot
 * drive the terminal (only the style's own colours are raw sequences).
 */
export function explainIteration(record: HistoryRecord, pool: Candidate[], options: ExplainOptions): string {
  const lines =
    record.iteration === 0 ? explainSampling(record, pool, options) : explainStep(record, pool, options);
  return `${lines.join("\n")}\n`;
}

/**
 * The value of `--explain`: true (bare flag) is "short". Commander reads `--explain "query"` as
 * the flag's value, so a value that is not a level, with no query given, is the query.
 */
export function explainOption(
  value: unknown,
  query: string | undefined,
): { level: ExplainLevel | null; query: string | undefined } {
  if (value === undefined || value === false) return { level: null, query };
  if (value === true) return { level: "short", query };
  const text = String(value);
  if ((EXPLAIN_LEVELS as readonly string[]).includes(text)) return { level: text as ExplainLevel, query };
  if (query === undefined) return { level: "short", query: text };
  throw new CliUsageError(
    `--explain takes ${EXPLAIN_LEVELS.join(" or ")} (as --explain=full), got "${text}".`,
  );
}
