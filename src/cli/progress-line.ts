import type { HistoryRecord } from "../graph/state.js";
import { fmt } from "./format.js";

/** One line per iteration of `tpo run`: the new candidates' scores and the best so far. */
export function iterationLine(record: HistoryRecord, depth: number): string {
  const s = record.scores;
  const label = record.iteration === 0 ? "sampled" : `update ${record.iteration}/${depth}`;
  const scores = s
    ? `new ${fmt(s.mean)} (${fmt(s.min)}–${fmt(s.max)}, ${record.candidates} candidates)`
    : "no new candidates";
  const untagged = record.untagged > 0 ? `, ${record.untagged} untagged rewrites` : "";
  return `tpo: ${label.padEnd(12)} ${scores}${untagged}  best so far ${fmt(record.bestSoFar)}`;
}
