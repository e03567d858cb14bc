import { formatNumber } from "../../util/number-format.js";
import type { JudgeUsage } from "../../eval/leaderboard/judge-calls.js";

/** The lines after a judged leaderboard's scores: what was judged now, by whom, with which prompt, against what, at what cost. */
export function judgeFooter(run: {
  judged: number;
  kept: number;
  out: string;
  judge: string;
  prompt: string;
  method?: string;
  baseline: string;
  usage: JudgeUsage;
  simulated: boolean;
}): string[] {
  const { usage } = run;
  const lines = [
    "",
    `Judged ${run.judged} now, ${run.kept} kept from earlier runs; written to ${run.out}.`,
    `Judge: ${run.judge}; prompt ${run.prompt}${run.method ? `; ${run.method}` : ""}; baseline ${run.baseline}.`,
    `This run: ${formatNumber(usage.requests, 0)} judge requests, ${formatNumber(usage.promptTokens, 0)} prompt and ` +
      `${formatNumber(usage.completionTokens, 0)} completion tokens.`,
  ];
  if (run.simulated) {
    lines.push(
      "Simulated world: the judge follows the simulation's hidden quality; these numbers show the mechanics, not the behaviour of real models.",
    );
  }
  return lines;
}
