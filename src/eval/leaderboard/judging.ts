import type { JudgeCache } from "../judge-cache.js";
import { z } from "zod";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { TpoFileError } from "../../errors.js";
import { escapeControl } from "../../util/escape.js";
import { costOf, type ModelPrice } from "../../models/prices.js";
import type { JudgeDescription } from "../compare/judgment.js";
import { judgeName } from "../compare/summary.js";
import type { JudgeUsage } from "./judge-calls.js";

/** Our answer to one query, to be judged: the query's id in the results file, its text, the answer. */
export interface OurAnswer {
  id: string;
  query: string;
  text: string;
}

/** A judge prompt as a job carries it: its template, and the name the judged files give it (`tpo:<name>` for ours, `file:<name>#<sha256 prefix>` for a template read from a file). */
export const JudgePromptSchema = z.object({
  name: z.string(),
  template: z.object({ system: z.string(), user: z.string() }),
});
export type JudgePrompt = z.infer<typeof JudgePromptSchema>;

/** The judge that judges: its chat model, and how the judged files describe it. */
export interface LeaderboardJudge {
  model: BaseChatModel;
  description: JudgeDescription;
  /** Where its verdicts are kept and reused (`--cache`), if anywhere. */
  cache?: JudgeCache;
}

/** How the messages name the arguments of a judging run (the CLI's flags): `<results>`, `--baseline`, `--out`, … */
export interface JudgingLabels {
  results: string;
  baseline: string;
  out: string;
}

/**
 * Refuses to continue a judged file that an item shows was judged otherwise: each check is what it
 * is (judge, prompt, baseline, model), the item's value and this run's; the first that differs is
 * named (escaped: it comes from a file).
 */
export function refuseOtherRun(
  out: string,
  checks: readonly [what: string, found: string, wanted: string][],
  label = "--out",
): void {
  const differs = checks.find(([, found, wanted]) => found !== wanted);
  if (differs === undefined) return;
  throw new TpoFileError(
    escapeControl(
      `${label} ${out} was judged with ${differs[0]} ${differs[1]}, not ${differs[2]}: give another ${label}, or --overwrite to judge again from scratch.`,
    ),
  );
}

/** The cost of a judging run's requests at the judge's price (no cached input: judges do not report it). */
export function judgeCostUsd(usage: JudgeUsage, price: ModelPrice): number {
  return costOf({ ...usage, cachedPromptTokens: 0 }, price);
}

/**
 * Why a row judged elsewhere (by a queue's worker) is not this run's: judged by another judge
 * than `judgeAs` (as `judgeName` names judges), or null when it is this run's judge.
 */
export function otherJudgeOf(judgeAs: string): (row: { tpo: { judge: JudgeDescription } }) => string | null {
  return (row) => {
    const by = judgeName({ judge: row.tpo.judge });
    return by === judgeAs ? null : `judged by ${by}, not ${judgeAs}`;
  };
}
