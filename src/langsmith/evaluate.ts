import { TpoInputError } from "../errors.js";
import type { TpoGraph } from "../graph/builder.js";
import { runTpoToEnd, type TpoRunOptions } from "../run/index.js";
import { parseTpoContext } from "../settings/run-settings.js";
import { inputOf, QUERY_INPUT_KEYS } from "./dataset-input.js";

/** What `tpoTarget` answers an example with: the answer and the figures the evaluators read. */
export interface TpoTargetOutput extends Record<string, unknown> {
  output: string;
  /** The reward of the answer, and the best reward of the first samples (iteration 0). */
  reward: number;
  first_samples_reward: number | null;
  iterations: number;
  tokens: number;
  stop_reason: string | null;
}

/**
 * A target for LangSmith's `evaluate()`: runs TPO on each example's input (`inputKey`, or the
 * first of "question", "query", "input", "messages" it has) and answers with the best response
 * and its figures. `evaluate()` traces the call, so each run's TPO iterations are its child runs.
 */
export function tpoTarget(
  graph: TpoGraph,
  options: Partial<Omit<TpoRunOptions, "signal" | "threadId" | "resume">> & { inputKey?: string } = {},
): (inputs: Record<string, unknown>) => Promise<TpoTargetOutput> {
  const { inputKey, ...runOptions } = options;
  const context = runOptions.context ?? parseTpoContext({});
  return async (inputs) => {
    const key = inputKey ?? QUERY_INPUT_KEYS.find((k) => inputs[k] !== undefined);
    if (key === undefined)
      throw new TpoInputError(
        `the example has none of the inputs ${QUERY_INPUT_KEYS.join(", ")}: name one with inputKey`,
      );
    const input = inputOf(inputs[key], key);
    if ("error" in input) throw new TpoInputError(`the example's ${input.error}`);
    const { state } = await runTpoToEnd(graph, input, { ...runOptions, context });
    return {
      output: state.best!.text,
      reward: state.best!.score,
      first_samples_reward: state.history.find((h) => h.iteration === 0)?.bestSoFar ?? null,
      iterations: state.history.reduce((most, h) => Math.max(most, h.iteration), 0),
      tokens: state.usage.promptTokens + state.usage.completionTokens,
      stop_reason: state.stopReason,
    };
  };
}

type Outputs = { outputs?: Record<string, unknown> };

const numberOf = (outputs: Record<string, unknown> | undefined, key: string): number | undefined =>
  typeof outputs?.[key] === "number" ? (outputs[key] as number) : undefined;

const lengthOf = (outputs: Record<string, unknown> | undefined): number | undefined =>
  typeof outputs?.output === "string" ? outputs.output.length : undefined;

/** 1 for the runs with the best value (the highest, or the lowest when `lower`), 0 for the others. */
function prefer(
  runs: { id: string; outputs?: Record<string, unknown> }[],
  valueOf: (outputs: Record<string, unknown> | undefined) => number | undefined,
  lower: boolean,
): Record<string, number> {
  const values = runs.map((run) => valueOf(run.outputs));
  const known = values.filter((v) => v !== undefined);
  const best = known.length === 0 ? undefined : lower ? Math.min(...known) : Math.max(...known);
  return Object.fromEntries(
    runs.map((run, i) => [run.id, values[i] !== undefined && values[i] === best ? 1 : 0]),
  );
}

/**
 * Evaluators of `tpoTarget`'s outputs for LangSmith's `evaluate()` (reward, reward_gain, length in
 * characters) and `evaluateComparative()` (reward_preference: 1 for the run with the higher
 * reward; shorter_preference: 1 for the shorter answer).
 */
export const tpoEvaluators = {
  reward: ({ outputs }: Outputs) => ({ key: "reward", score: numberOf(outputs, "reward") }),
  rewardGain: ({ outputs }: Outputs) => {
    const reward = numberOf(outputs, "reward");
    const first = numberOf(outputs, "first_samples_reward");
    return {
      key: "reward_gain",
      score: reward === undefined || first === undefined ? undefined : reward - first,
    };
  },
  length: ({ outputs }: Outputs) => ({ key: "length", score: lengthOf(outputs) }),
  rewardPreference: ({ runs }: { runs: { id: string; outputs?: Record<string, unknown> }[] }) => ({
    key: "reward_preference",
    scores: prefer(runs, (outputs) => numberOf(outputs, "reward"), false),
  }),
  shorterPreference: ({ runs }: { runs: { id: string; outputs?: Record<string, unknown> }[] }) => ({
    key: "shorter_preference",
    scores: prefer(runs, lengthOf, true),
  }),
};
