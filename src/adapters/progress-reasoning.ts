import { TpoSettingsError } from "../errors.js";
import type { TpoContext, TpoContextInput } from "../settings/run-settings.js";
import type { HistoryRecord } from "../state/state.js";
import { isRecordComplete } from "../run/iteration-watch.js";

/**
 * How a streaming caller sees a run's progress besides the answer: `"reasoning"` sends one
 * paragraph per iteration as reasoning (`reasoning_content`, the field vLLM and DeepSeek use and
 * chat front ends show as "thinking") before the answer; `"off"` sends the answer alone.
 */
export type TpoProgressMode = "off" | "reasoning";

export const TPO_PROGRESS_MODES: readonly TpoProgressMode[] = ["off", "reasoning"];

/** Run settings plus how progress is shown, as `TpoChatModel` and the server's `tpo` field take them. */
export type TpoCallSettings = TpoContextInput & { progress?: TpoProgressMode };

/** A progress mode, or undefined when none was given; anything else throws a TpoSettingsError. */
export function parseProgressMode(value: unknown): TpoProgressMode | undefined {
  if (value === undefined || value === null) return undefined;
  if (TPO_PROGRESS_MODES.includes(value as TpoProgressMode)) return value as TpoProgressMode;
  throw new TpoSettingsError(
    "progress",
    `Invalid TPO setting "progress": expected ${TPO_PROGRESS_MODES.map((m) => `"${m}"`).join(" or ")}, got ${JSON.stringify(value)}.`,
  );
}

/** The run settings of call settings: everything but `progress`. */
export function runSettingsOf(settings: TpoCallSettings): TpoContextInput {
  const { progress: _progress, ...run } = settings;
  return run;
}

/** A score, short: four significant digits (8.123, 0.01234, 123.5). */
function score(value: number | null | undefined): string {
  return typeof value === "number" && Number.isFinite(value) ? String(Number(value.toPrecision(4))) : "-";
}

const SUMMARY_CHARS = 160;

/** Markdown's line marks (headings, bullets, quotes, emphasis), which a one-line summary can do without. */
function plainLine(line: string): string {
  return line
    .replace(/^\s*(#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)/, "")
    .replace(/(\*\*|__|`)/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A critique on one line: its first line of text, with a lead-in such as "Strengths:" joined to
 * the line after it, without markdown marks, cut at a word near 160 characters.
 */
export function critiqueSummary(critique: string | null | undefined): string | null {
  const lines = (critique ?? "").split("\n").map(plainLine).filter(Boolean);
  if (lines.length === 0) return null;
  let summary = lines[0];
  if (summary.endsWith(":") && summary.length < 60 && lines.length > 1) summary = `${summary} ${lines[1]}`;
  if (summary.length <= SUMMARY_CHARS) return summary;
  const head = summary.slice(0, SUMMARY_CHARS - 1);
  const space = head.lastIndexOf(" ");
  return `${(space > SUMMARY_CHARS * 0.7 ? head.slice(0, space) : head).replace(/[\s,;:]+$/, "")}…`;
}

/** The first paragraph of reasoning: what the run is about to do. */
export function progressStart(settings: Pick<TpoContext, "width" | "depth" | "mode">): string {
  const depth = settings.mode === "bon" ? 0 : settings.depth;
  return `Optimising the answer with TPO: ${settings.width} responses per step, ${depth} rounds of critique and rewrite (mode ${settings.mode}).\n\n`;
}

/** One paragraph of reasoning for a finished iteration: its number, the best score so far, the critique in a line. */
export function progressParagraph(
  record: HistoryRecord,
  settings: Pick<TpoContext, "depth" | "mode">,
): string {
  if (record.iteration === 0) {
    return `Sampled ${record.candidates} responses; the best scores ${score(record.bestSoFar)}.\n\n`;
  }
  const before = record.chosen?.score;
  const best =
    before === undefined || record.bestSoFar === null || record.bestSoFar <= before
      ? `best score so far ${score(record.bestSoFar)} (unchanged)`
      : `best score so far ${score(record.bestSoFar)} (up from ${score(before)})`;
  const critique = critiqueSummary(record.critique);
  const depth = settings.mode === "bon" ? 0 : settings.depth;
  return `Iteration ${record.iteration} of ${depth}: ${best}.${critique ? ` Critique: ${critique}` : ""}\n\n`;
}

/** The whole reasoning of a finished run: what a stream with progress "reasoning" sent, in one text. */
export function progressReasoning(history: readonly HistoryRecord[], settings: TpoContext): string {
  return (
    progressStart(settings) +
    history
      .filter(isRecordComplete)
      .map((record) => progressParagraph(record, settings))
      .join("")
  );
}
