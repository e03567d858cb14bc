import { bestAndWorst } from "../nodes/select.js";
import { ensureContext } from "../settings/run-settings.js";
import { emit } from "../state/events.js";
import type { TpoNode, TpoNodeName } from "../nodes/contract.js";
import { awaitsJudgement, type TpoUpdate } from "../state/state.js";

/** Candidates a node's update judged: the reward step's scores (or a human's pick). */
function judgedIn({ pool }: TpoUpdate): { id: string; score: number | null }[] {
  if (!Array.isArray(pool)) return [];
  return pool.filter((c) => !awaitsJudgement(c)).map((c) => ({ id: c.id, score: c.score }));
}

/**
 * Wraps a node so the graph reports progress on the custom stream. Events are derived from the
 * state and the node's update, so replaced nodes report progress too.
 */
export function withProgressEvents(name: TpoNodeName, node: TpoNode): TpoNode {
  return async (state, runtime) => {
    if (name === "generate" || name === "critique") {
      const ctx = ensureContext(runtime);
      const first = name === "generate";
      emit(runtime, {
        type: "tpo.iteration.started",
        iteration: first ? 0 : state.iteration + 1,
        mode: ctx.mode,
        width: ctx.width,
        depth: ctx.depth,
        chosen: first ? null : state.chosen,
        rejected: first || ctx.mode !== "tpo" ? null : state.rejected,
      });
    }
    const update = await node(state, runtime);
    if (name === "reward") {
      const scores = judgedIn(update);
      if (scores.length > 0)
        emit(runtime, { type: "tpo.candidates.scored", iteration: state.iteration, scores });
    } else if (name === "select") {
      const pair = bestAndWorst(state.pool);
      if (pair) {
        emit(runtime, {
          type: "tpo.iteration.finished",
          iteration: state.iteration,
          bestId: pair.best.id,
          bestSoFar: pair.best.score,
        });
      }
    } else if (name === "decide" && typeof update.stopReason === "string") {
      emit(runtime, {
        type: "tpo.run.stopped",
        reason: update.stopReason,
        iteration: state.iteration,
        bestSoFar: bestAndWorst(state.pool)?.best.score ?? null,
      });
    } else if (name === "finalize" && update.best && "text" in update.best) {
      emit(runtime, { type: "tpo.run.finished", best: update.best, iterations: state.iteration });
    }
    return update;
  };
}
