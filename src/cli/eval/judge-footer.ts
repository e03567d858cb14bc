import { formatNumber, formatUsd } from "../../util/number-format.js";
import { escapeControl } from "../../util/escape.js";
import type { JudgeUsage } from "../../eval/leaderboard/judge-calls.js";
import { judgeCostUsd } from "../../eval/leaderboard/judging.js";
import type { ModelPrice } from "../../models/prices.js";
import { writeLine, type CliIo } from "../io.js";

/** What a judging run did: judged now and kept, by whom, with which prompt, against what, at what cost. */
export interface JudgeSummary {
  judged: number;
  kept: number;
  out: string;
  judge: string;
  prompt: string;
  method?: string;
  baseline: string;
  usage: JudgeUsage;
  /** The judge's price (--prices, the price flags): the run's cost in USD; unset, no cost is shown. */
  price?: ModelPrice;
  simulated: boolean;
}

/** The summary as `--json` adds it to the scores (`judging`): counts, the judge, and `costUsd` when priced. */
export function judgeSummaryJson(run: JudgeSummary): Record<string, unknown> {
  return {
    judged: run.judged,
    kept: run.kept,
    out: run.out,
    judge: run.judge,
    prompt: run.prompt,
    ...(run.method ? { method: run.method } : {}),
    baseline: run.baseline,
    ...run.usage,
    ...(run.price ? { costUsd: judgeCostUsd(run.usage, run.price) } : {}),
    simulated: run.simulated,
  };
}

/** The lines after a judged leaderboard's scores: what was judged now, by whom, with which prompt, against what, at what cost. */
export function judgeFooter(run: JudgeSummary): string[] {
  const { usage } = run;
  const cost = run.price ? `, $${formatUsd(judgeCostUsd(usage, run.price))}` : "";
  const lines = [
    "",
    `Judged ${run.judged} now, ${run.kept} kept from earlier runs; written to ${run.out}.`,
    `Judge: ${run.judge}; prompt ${run.prompt}${run.method ? `; ${run.method}` : ""}; baseline ${run.baseline}.`,
    `This run: ${formatNumber(usage.requests, 0)} judge requests, ${formatNumber(usage.promptTokens, 0)} prompt and ` +
      `${formatNumber(usage.completionTokens, 0)} completion tokens${cost}.`,
  ];
  if (run.simulated) {
    lines.push(
      "Simulated world: the judge follows the simulation's hidden quality; these numbers show the mechanics, not the behaviour of real models.",
    );
  }
  return lines;
}

/** The footer on standard output, or on standard error when the scores are JSON. */
export function printJudgeSummary(run: JudgeSummary, json: boolean, io: CliIo): void {
  writeLine(json ? io.stderr : io.stdout, escapeControl(judgeFooter(run).join("\n")));
}
