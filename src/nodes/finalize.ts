import { AIMessage } from "@langchain/core/messages";
import { type TpoNode } from "./contract.js";
import { requireBestAndWorst } from "./select.js";

/** The answer: the best candidate of the whole pool, appended to the conversation. */
export function makeFinalizeNode(): TpoNode {
  return (state) => {
    const { best } = requireBestAndWorst(state);
    const message = new AIMessage({
      content: best.text,
      response_metadata: { tpo_score: best.score, tpo_iteration: best.iteration },
    });
    return {
      best: { text: best.text, score: best.score, iteration: best.iteration },
      messages: [message],
    };
  };
}
