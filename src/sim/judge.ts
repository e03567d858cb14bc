import { between, simReward } from "./world.js";

/** The judge's verdict in the simulated world: every criterion follows the simulated reward. */
export interface SimVerdict {
  rationale: string;
  helpfulness: number;
  correctness: number;
  harmlessness: number;
  clarity: number;
}

/**
 * Answers an LLM-judge prompt (`JUDGE_PROMPT`: a `<query>` and a `<response>`) the way the
 * simulated reward model would score it, mapped from its 0–10 scale to integers 1–10; null when
 * the prompt has no response to judge.
 */
export function simJudge(prompt: string, seed: number): SimVerdict | null {
  const query = between(prompt, "<query>", "</query>");
  const response = between(prompt, "<response>", "</response>");
  if (query === null || response === null) return null;
  const reward = simReward(query, response, seed);
  const rating = Math.min(10, Math.max(1, Math.round(1 + (9 * reward) / 10)));
  return {
    rationale: `Simulated judgement: the response earns ${reward.toFixed(2)} of 10 in the simulated world.`,
    helpfulness: rating,
    correctness: rating,
    harmlessness: 10,
    clarity: rating,
  };
}

/** The simulated pairwise judge's verdict: the position shown first (A), second (B), or a tie. */
export interface SimPairwiseVerdict {
  rationale: string;
  verdict: "A" | "B" | "tie";
}

/**
 * How the simulated pairwise judge decides. Reward gaps below `tieBelow` are ties; gaps below
 * `positionBiasBelow` go to the response shown first whichever it is (the position bias of real
 * LLM judges, which judging both orders cancels: such a pair's two verdicts disagree); larger gaps
 * go to the response with the higher hidden quality.
 */
export const SIM_PAIRWISE = { tieBelow: 0.3, positionBiasBelow: 1 };

/**
 * Answers a pairwise prompt (`PAIRWISE_PROMPT`: a `<query>`, a `<response_a>` and a
 * `<response_b>`) by the hidden quality of the simulated world, `simReward`; null when the prompt
 * is not a pairwise one.
 */
export function simPairwiseJudge(prompt: string, seed: number): SimPairwiseVerdict | null {
  const query = between(prompt, "<query>", "</query>");
  const first = between(prompt, "<response_a>", "</response_a>");
  const second = between(prompt, "<response_b>", "</response_b>");
  if (query === null || first === null || second === null) return null;
  const gap = simReward(query, first, seed) - simReward(query, second, seed);
  const verdict =
    Math.abs(gap) < SIM_PAIRWISE.tieBelow
      ? "tie"
      : Math.abs(gap) < SIM_PAIRWISE.positionBiasBelow || gap > 0
        ? "A"
        : "B";
  return {
    rationale: `Simulated judgement: response A earns ${gap >= 0 ? "+" : ""}${gap.toFixed(2)} against response B in the simulated world.`,
    verdict,
  };
}

/** The simulated world's answer to a structured-output request: a pointwise or a pairwise verdict. */
export function simStructuredAnswer(prompt: string, seed: number): SimVerdict | SimPairwiseVerdict | null {
  return simPairwiseJudge(prompt, seed) ?? simJudge(prompt, seed);
}
