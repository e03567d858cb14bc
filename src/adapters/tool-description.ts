/** Responses one run asks the models for, at most: width per sampling and update, 2 critic steps per iteration. */
export function responsesPerRun(width: number, depth: number): number {
  return width * (depth + 1) + 2 * depth;
}

/**
 * What TPO as a tool tells an agent: what it does, what it costs at the given default width and
 * depth, and when it is worth that cost (the MCP tool and the LangChain tool say the same).
 */
export function tpoToolDescription(width: number, depth: number): string {
  return [
    "Optimises an answer at inference time with Test-Time Preference Optimization (TPO): a policy model",
    "samples `width` answers, a reward model scores them, and for `depth` rounds a critic compares the best",
    "with the worst and rewrites the best; the highest-scoring answer comes back.",
    `Cost: about width × (depth + 1) + 2 × depth model responses (by default width ${width}, depth ${depth}:`,
    `up to ${responsesPerRun(width, depth)} responses) and several times the time of one answer.`,
    "Worth it for an answer that matters and that a reward model can judge: a final reply to a person, an",
    "explanation, advice, a summary, careful writing. Not worth it for quick facts, lookups, intermediate steps,",
    "plans for tool calls, or anything a test or a source can check. Cheaper: depth 0 (best-of-N) or a smaller width.",
  ].join(" ");
}
