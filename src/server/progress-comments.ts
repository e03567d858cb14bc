import type { TpoContext } from "../settings/run-settings.js";
import type { HistoryPatch, TpoUpdate } from "../state/state.js";

function fixed(value: number | null | undefined): string {
  return typeof value === "number" ? value.toFixed(3) : "-";
}

/** One line of progress for a node's state update, sent to streaming clients as an SSE comment. */
export function progressLine(node: string, update: TpoUpdate, settings: TpoContext): string {
  const patches = (Array.isArray(update.history) ? update.history : []) as HistoryPatch[];
  const iteration =
    patches[0]?.iteration ?? (typeof update.iteration === "number" ? update.iteration : undefined);
  const of = `iteration ${iteration ?? "?"} of ${settings.mode === "bon" ? 0 : settings.depth}`;
  switch (node) {
    case "generate":
      return `tpo generate: ${patches[0]?.candidates ?? "?"} candidates sampled (${of})`;
    case "reward": {
      const scores = patches[0]?.scores;
      return `tpo reward: new candidates scored, max ${fixed(scores?.max)} (${of})`;
    }
    case "select":
      return `tpo select: best so far ${fixed(patches[0]?.bestSoFar)} (${of})`;
    case "decide":
      return typeof update.stopReason === "string"
        ? `tpo stop: ${update.stopReason} (${of})`
        : `tpo decide: one more iteration (${of})`;
    case "finalize":
      return "tpo finalize: answer chosen";
    default:
      return `tpo ${node} (${of})`;
  }
}
