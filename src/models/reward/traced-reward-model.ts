import type { RunnableConfig } from "@langchain/core/runnables";
import { RunnableLambda } from "@langchain/core/runnables";
import type { RewardItem, RewardModel } from "./reward-model.js";

/** The name of the traced run of each reward-model call; its outputs are the scores. */
export const REWARD_RUN_NAME = "reward_model";

const TRACED = Symbol.for("langgraph-tpo.tracedRewardModel");

/**
 * Wraps a reward model so that each `score` call is a run of its own under the calling node (in
 * LangSmith and any other callback handler), with the node's stage metadata and tags, the items
 * as inputs and the scores as outputs. The wrapped model receives the run's config, so runs it
 * makes itself nest under it. Everything else (`name`, `requestCount`, …) is the model's own.
 */
export function traceRewardModel<M extends RewardModel>(model: M): M {
  if ((model as { [TRACED]?: boolean })[TRACED]) return model;
  const name = model.name ?? model.constructor?.name ?? "reward model";
  const run = RunnableLambda.from(async (items: RewardItem[], config?: RunnableConfig) =>
    model.score(items, config),
  ).withConfig({ runName: REWARD_RUN_NAME, metadata: { tpo_reward_model: name } });
  const score = (items: RewardItem[], config?: RunnableConfig) => run.invoke(items, config);
  // A proxy rather than a copy: class-based models keep their prototype methods and private fields.
  return new Proxy(model, {
    get(target, property) {
      if (property === "score") return score;
      if (property === TRACED) return true;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" && property !== "constructor" ? value.bind(target) : value;
    },
  });
}
