import { ensureContext } from "../settings/run-settings.js";
import { conversationOf } from "../messages/conversation.js";
import { criticMessages } from "./critic-prompt.js";
import { type TpoNodeDeps, type TpoNode } from "./contract.js";
import { askCritic } from "./critic-request.js";

/**
 * Textual gradient: the critic turns the critique into suggestions for the chosen response. In
 * mode `tpo` it sees the rejected response too; in mode `revision` the chosen one alone.
 */
export function makeGradientNode({
  critic,
  prompts,
  modelCache,
}: Pick<TpoNodeDeps, "critic" | "prompts" | "modelCache">): TpoNode {
  return async (state, runtime) => {
    const ctx = ensureContext(runtime);
    const iteration = state.iteration + 1;
    const messages = criticMessages(state, ctx, prompts, "gradient");
    const { text, usage } = await askCritic(critic, messages, {
      stage: "gradient",
      iteration,
      ctx,
      runtime,
      conversation: conversationOf(state),
      cache: modelCache?.critic,
    });
    return { gradientText: text, usage };
  };
}
