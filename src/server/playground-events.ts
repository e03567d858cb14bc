import type { RunEvent } from "../run/index.js";
import type { Candidate, HistoryRecord, TpoStateType } from "../state/state.js";
import type { PlaygroundEvent } from "../web/playground-data.js";
import type { CandidateData, IterationData } from "../web/report-data.js";

function candidateData(c: Candidate): CandidateData {
  return { id: c.id, text: c.text, score: c.score, iteration: c.iteration, origin: c.origin };
}

/** The pool's best up to an iteration, as select picks it (ties to the earliest). */
function bestIdAt(pool: Candidate[], iteration: number): string | null {
  let best: Candidate | null = null;
  for (const c of pool) {
    if (c.iteration > iteration || c.score === null) continue;
    if (!best || c.score > best.score!) best = c;
  }
  return best?.id ?? null;
}

function iterationData(record: HistoryRecord, state: TpoStateType): IterationData {
  const u = record.usage;
  return {
    iteration: record.iteration,
    chosen: record.chosen?.id ?? null,
    rejected: record.rejected?.id ?? null,
    critique: record.critique,
    gradient: record.gradient,
    candidates: record.candidates,
    untagged: record.untagged,
    failures: record.failures,
    bestSoFar: record.bestSoFar,
    bestId: bestIdAt(state.pool, record.iteration),
    requests: u.modelRequests,
    tokens: u.promptTokens + u.completionTokens,
    costUsd: u.costUsd ?? null,
    ms: record.elapsedMs,
  };
}

/**
 * What the playground is told of a run's events (null for those it does not show): the pair an
 * iteration starts from, the critique and the suggestions as soon as they are written, each
 * iteration's scored candidates once it is recorded, and why the run stopped. One per run: it
 * remembers which iteration the critic is writing for.
 */
export class PlaygroundEvents {
  private iteration = 0;

  of(event: RunEvent): PlaygroundEvent | null {
    switch (event.type) {
      case "tpo.iteration.started":
        this.iteration = event.iteration;
        return {
          type: "iteration.started",
          iteration: event.iteration,
          mode: event.mode,
          width: event.width,
          depth: event.depth,
          chosen: event.chosen,
          rejected: event.rejected,
        };
      case "tpo.node.finished": {
        const { critiqueText, gradientText } = event.update;
        if (event.node === "critique" && typeof critiqueText === "string") {
          return { type: "critique", iteration: this.iteration, text: critiqueText };
        }
        if (event.node === "gradient" && typeof gradientText === "string") {
          return { type: "gradient", iteration: this.iteration, text: gradientText };
        }
        return null;
      }
      case "tpo.iteration.recorded": {
        const { record, state } = event;
        return {
          type: "iteration",
          iteration: iterationData(record, state),
          candidates: state.pool.filter((c) => c.iteration === record.iteration).map(candidateData),
          usage: {
            requests: state.usage.modelRequests,
            tokens: state.usage.promptTokens + state.usage.completionTokens,
          },
        };
      }
      case "tpo.run.stopped":
        return { type: "stopped", reason: event.reason, iteration: event.iteration };
      default:
        return null;
    }
  }
}
