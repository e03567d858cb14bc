import type { BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { RewardModelError } from "../../errors.js";

export interface RewardItem {
  /** The conversation the response answers, ending with the user turn. */
  messages: BaseMessage[];
  response: string;
}

/** Scores responses: one finite number per item, higher is better. */
export interface RewardModel {
  /** Shown in errors and traces. */
  name?: string;
  score(items: RewardItem[], config?: RunnableConfig): Promise<number[]>;
  /**
   * How many requests scoring `items` responses takes (one per batch, or one per response), for
   * the cost figures; retries are not counted. Without it, one call counts as one request.
   */
  requestCount?(items: number): number;
}

/** Marks a value that JSON cannot show (NaN, ±Infinity, a bigint) so that it is printed as it is. */
const AS_IS = "\u0000";

/**
 * A value as an error message shows it: JSON, except that NaN, Infinity and bigints appear as
 * themselves (JSON.stringify would print null, or throw), cut at `max` characters.
 */
export function describeValue(value: unknown, max = 200): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    (typeof v === "number" && !Number.isFinite(v)) || typeof v === "bigint"
      ? `${AS_IS}${typeof v === "bigint" ? `${v}n` : String(v)}${AS_IS}`
      : v,
  )?.replace(/"\\u0000(.*?)\\u0000"/g, "$1");
  return text === undefined ? String(value) : text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Calls the reward model and checks that it returned one finite number per item. */
export async function scoreChecked(
  model: RewardModel,
  items: RewardItem[],
  config?: RunnableConfig,
): Promise<number[]> {
  const name = model.name ?? model.constructor?.name ?? "reward model";
  const scores: unknown = await model.score(items, config);
  if (!Array.isArray(scores) || scores.length !== items.length) {
    throw new RewardModelError(
      `Reward model "${name}" returned ${Array.isArray(scores) ? `${scores.length} scores` : describeValue(scores)} ` +
        `for ${items.length} responses; it must return one number per response.`,
    );
  }
  const bad = scores.findIndex((s) => typeof s !== "number" || !Number.isFinite(s));
  if (bad >= 0) {
    throw new RewardModelError(
      `Reward model "${name}" returned a non-finite score ${describeValue(scores[bad])} for response ${bad}; ` +
        `every score must be a finite number.`,
    );
  }
  return scores as number[];
}
