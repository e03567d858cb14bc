import type { RunnableConfig } from "@langchain/core/runnables";
import { RewardModelError } from "../../errors.js";
import type { RewardItem, RewardModel } from "./reward-model.js";

export type RewardFunction = (item: RewardItem) => number | Promise<number>;

export interface FunctionRewardModelOptions {
  /** Shown in errors and traces (default: the function's name, or "function"). */
  name?: string;
}

/**
 * A reward model from a plain function or verifier, sync or async: e.g. 1 when a math answer
 * matches the reference, else 0. Each call counts as one reward request in the usage figures.
 */
export function createFunctionRewardModel(
  fn: RewardFunction,
  options: FunctionRewardModelOptions = {},
): RewardModel {
  const name = options.name ?? (fn.name || "function");
  return {
    name,
    async score(items: RewardItem[], _config?: RunnableConfig): Promise<number[]> {
      return Promise.all(
        items.map(async (item, i) => {
          try {
            return await fn(item);
          } catch (error) {
            throw new RewardModelError(
              `Reward function "${name}" failed on response ${i}: ${error instanceof Error ? error.message : String(error)}`,
              { cause: error },
            );
          }
        }),
      );
    },
  };
}
