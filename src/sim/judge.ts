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

/** A judge prompt's query and its two answers, in the order shown, and how the judge names them. */
export interface SimJudgePrompt {
  query: string;
  first: string;
  second: string;
  /** `verdict`: an Arena-Hard-style verdict in brackets; `label`: an AlpacaEval-style label, m or M. */
  answer: "verdict" | "label";
}

const captured = (prompt: string, pattern: RegExp) => pattern.exec(prompt)?.[1]?.trim() ?? null;

/**
 * The layouts of leaderboard judge prompts that the simulated world reads: ours
 * (`ARENA_HARD_JUDGE_PROMPT`, `ALPACA_EVAL_JUDGE_PROMPT`) and the official templates'
 * (arena-hard-auto's `<|User Prompt|>` sections, alpaca_eval's `"model_identifier"` entries), so
 * that `--judge-template` with an official template runs in the simulation too.
 */
const JUDGE_LAYOUTS: ((prompt: string) => SimJudgePrompt | null)[] = [
  (p) => {
    const query = between(p, "<query>", "</query>");
    const first = between(p, "<output_m>", "</output_m>");
    const second = between(p, "<output_M>", "</output_M>");
    return query !== null && first !== null && second !== null
      ? { query, first, second, answer: "label" }
      : null;
  },
  (p) => {
    const query = captured(p, /"instruction":\s*"""([\s\S]*?)"""/);
    const first = captured(p, /"model_identifier":\s*"m",\s*"output":\s*"""([\s\S]*?)"""/);
    const second = captured(p, /"model_identifier":\s*"M",\s*"output":\s*"""([\s\S]*?)"""/);
    return query !== null && first !== null && second !== null
      ? { query, first, second, answer: "label" }
      : null;
  },
  (p) => {
    const query = between(p, "<query>", "</query>");
    const first = between(p, "<response_a>", "</response_a>");
    const second = between(p, "<response_b>", "</response_b>");
    return query !== null && first !== null && second !== null
      ? { query, first, second, answer: "verdict" }
      : null;
  },
  (p) => {
    const query = captured(p, /<\|User Prompt\|>([\s\S]*?)<\|The Start of Assistant A's Answer\|>/);
    const first = captured(
      p,
      /<\|The Start of Assistant A's Answer\|>([\s\S]*?)<\|The End of Assistant A's Answer\|>/,
    );
    const second = captured(
      p,
      /<\|The Start of Assistant B's Answer\|>([\s\S]*?)<\|The End of Assistant B's Answer\|>/,
    );
    return query !== null && first !== null && second !== null
      ? { query, first, second, answer: "verdict" }
      : null;
  },
];

export function simJudgePromptOf(prompt: string): SimJudgePrompt | null {
  for (const layout of JUDGE_LAYOUTS) {
    const found = layout(prompt);
    if (found) return found;
  }
  return null;
}

/** A token of a simulated `top_logprobs` list. */
export interface SimTopLogprob {
  token: string;
  logprob: number;
}

/** A judge's reply in the simulated world: its text, and for a label its top log-probabilities. */
export interface SimJudgeReply {
  text: string;
  /** The first token's alternatives, most likely first (label answers only). */
  topLogprobs?: SimTopLogprob[];
}

/**
 * How the simulated leaderboard judges decide, from the gap in hidden quality between the answer
 * shown first and the one shown second: the probability of the first label is
 * σ(`slope`·gap + `firstBias`), a position bias as real judges have; verdicts follow the pairwise
 * judge's thresholds (`SIM_PAIRWISE`), and a gap of `muchBetter` or more is a strong verdict.
 */
export const SIM_LEADERBOARD_JUDGE = { slope: 1.5, firstBias: 0.3, muchBetter: 2 };

/** Tokens a real judge would rank below the two labels, for a longer `top_logprobs` list. */
const OTHER_TOKENS: SimTopLogprob[] = [
  { token: "Both", logprob: -13.5 },
  { token: "The", logprob: -14.2 },
  { token: "Output", logprob: -15.1 },
];

function verdictFor(gap: number): string {
  const { tieBelow, positionBiasBelow } = SIM_PAIRWISE;
  if (Math.abs(gap) < tieBelow) return "A=B";
  if (Math.abs(gap) < positionBiasBelow) return "A>B"; // the position bias: the first shown wins
  const strong = Math.abs(gap) >= SIM_LEADERBOARD_JUDGE.muchBetter;
  return gap > 0 ? (strong ? "A>>B" : "A>B") : strong ? "B>>A" : "B>A";
}

/**
 * The simulated world's reply to a leaderboard judge's prompt (see `simJudgePromptOf`), by its
 * hidden quality (`simReward`); null when the prompt is none. Deterministic: the same prompt and
 * seed give the same reply.
 */
export function simLeaderboardJudge(prompt: string, seed: number): SimJudgeReply | null {
  const judged = simJudgePromptOf(prompt);
  if (!judged) return null;
  const gap = simReward(judged.query, judged.first, seed) - simReward(judged.query, judged.second, seed);
  if (judged.answer === "verdict") {
    return {
      text:
        `Simulated judgement. My own answer would cover the aspects the simulated world rewards. ` +
        `The first answer earns ${gap >= 0 ? "+" : ""}${gap.toFixed(2)} against the second.\n\n` +
        `Verdict: [[${verdictFor(gap)}]]`,
    };
  }
  const { slope, firstBias } = SIM_LEADERBOARD_JUDGE;
  const z = slope * gap + firstBias;
  const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  // log σ(z) and log σ(−z), finite however large the gap
  const labels: SimTopLogprob[] = [
    { token: "m", logprob: -softplus(-z) },
    { token: "M", logprob: -softplus(z) },
  ].sort((x, y) => y.logprob - x.logprob);
  return { text: labels[0]!.token, topLogprobs: [...labels, ...OTHER_TOKENS] };
}

/** OpenAI's `logprobs` of a one-token reply with `top` alternatives. */
export function simLogprobs(reply: SimJudgeReply, top: number) {
  const alternatives = (reply.topLogprobs ?? [])
    .slice(0, top)
    .map((t) => ({ ...t, bytes: [...Buffer.from(t.token)] }));
  const chosen = reply.topLogprobs?.find((t) => t.token === reply.text);
  return {
    content: [
      {
        token: reply.text,
        logprob: chosen?.logprob ?? 0,
        bytes: [...Buffer.from(reply.text)],
        top_logprobs: alternatives,
      },
    ],
  };
}
