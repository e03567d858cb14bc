import { ensureContext } from "../settings/run-settings.js";
import { conversationOf } from "../messages/conversation.js";
import { criticMessages } from "./critic-prompt.js";
import { type TpoNodeDeps, type TpoNode } from "./contract.js";
import { askCritic } from "./critic-request.js";

/**
 * Textual loss: the critic explains why the chosen response beats the rejected one. In mode
 * `revision`, or while there is no rejected response, it judges the chosen response alone.
 */
export function makeCritiqueNode({
  critic,
  prompts,
  modelCache,
}: Pick<TpoNodeDeps, "critic" | "prompts" | "modelCache">): TpoNode {
  return async (state, runtime) => {
    const ctx = ensureContext(runtime);
    const iteration = state.iteration + 1;
    const messages = criticMessages(state, ctx, prompts, "critique");
    const { text, usage } = await askCritic(critic, messages, {
      stage: "critique",
      iteration,
      ctx,
      runtime,
      conversation: conversationOf(state),
      cache: modelCache?.critic,
    });
    return { critiqueText: text, usage };
  };
}
