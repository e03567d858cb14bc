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
