import type { HistoryRecord, StopReason, Usage } from "../state/state.js";
import { formatNumber, formatUsd } from "../util/number-format.js";

/** One line per iteration of `tpo run`: the new candidates' scores and the best so far. */
export function iterationLine(record: HistoryRecord, depth: number): string {
  const s = record.scores;
  const label = record.iteration === 0 ? "sampled" : `update ${record.iteration}/${depth}`;
  const scores = s
    ? `new ${formatNumber(s.mean)} (${formatNumber(s.min)}–${formatNumber(s.max)}, ${record.candidates} candidates)`
    : "no new candidates";
  const untagged = record.untagged > 0 ? `, ${record.untagged} untagged rewrites` : "";
  return `tpo: ${label.padEnd(12)} ${scores}${untagged}  best so far ${formatNumber(record.bestSoFar)}`;
}

const STOP_WORDS: Record<StopReason, string> = {
  depth: "reached the depth",
  target: "reached the target score",
  patience: "ran out of patience",
  budget: "one more iteration would pass the budget",
  cost: "one more iteration would pass the dollar budget",
};

/** The end of `tpo run`'s summary line: where and why the run stopped. */
export function stopNote(state: { stopReason: StopReason | null; stoppedAt: number | null }): string {
  if (state.stopReason === null) return "";
  return ` · stopped at iteration ${state.stoppedAt ?? "?"}: ${STOP_WORDS[state.stopReason]}`;
}

/** " · $0.0431" when the run was priced, else nothing: no prices, no money figure. */
export function costNote(usage: Pick<Usage, "costUsd">): string {
  return usage.costUsd === undefined ? "" : ` · $${formatUsd(usage.costUsd)}`;
}
