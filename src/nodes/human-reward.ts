import { interrupt } from "@langchain/langgraph";
import { conversationOf, queryText } from "../messages/conversation.js";
import { type TpoNode } from "./contract.js";
import { awaitsJudgement, type TpoStateType } from "../state/state.js";
import {
  HUMAN_REWARD_INSTRUCTIONS,
  parseHumanJudgement,
  type HumanJudgement,
  type HumanRewardRequest,
} from "./human-judgement.js";
import { bestAndWorst } from "./select.js";

function request(state: TpoStateType, error: string | null): HumanRewardRequest {
  const best = bestAndWorst(state.pool)?.best;
  return {
    type: "tpo.human_reward",
    iteration: state.iteration,
    query: queryText(conversationOf(state)),
    candidates: state.pool.filter(awaitsJudgement).map((c) => ({ id: c.id, text: c.text })),
    bestSoFar: best ? { id: best.id, text: best.text, score: best.score } : null,
    error,
    instructions: HUMAN_REWARD_INSTRUCTIONS,
  };
}

/**
 * A reward node that asks a person: it interrupts the run with the candidates that wait for a
 * judgement (a {@link HumanRewardRequest}), and the run resumes with
 * `new Command({ resume: judgement })` (a {@link HumanJudgement}). A bad answer asks again, with
 * the reason. Needs a checkpointer, like every interrupt.
 */
export function makeHumanRewardNode(): TpoNode {
  return (state) => {
    const pending = state.pool.filter(awaitsJudgement);
    if (pending.length === 0) return {};
    let error: string | null = null;
    // Each interrupt() returns the answer stored for it, in order, or pauses the run at the first
    // question without one; so this loop ends at a good answer or at a new question.
    for (;;) {
      const answer: unknown = interrupt<HumanRewardRequest, HumanJudgement>(request(state, error));
      const result = parseHumanJudgement(answer, pending, state.pool);
      if (!result.ok) {
        error = result.error;
        continue;
      }
      return { pool: result.judged };
    }
  };
}
