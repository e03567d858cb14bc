import { openTpoCache } from "../cache/open-cache.js";
import type { TpoCache } from "../cache/tpo-cache.js";
import { modelIdentities } from "../from-env/model-identities.js";
import type { ModelSettings } from "../from-env/models-from-env.js";
import type { ModelCaches } from "../models/model-caches.js";
import type { Usage } from "../state/state.js";
import { formatUsd } from "../util/number-format.js";
import { judgeCacheOf, JudgeCacheTally, type JudgeCache } from "../eval/judge-cache.js";
import type { JudgeDescription } from "../eval/compare/judgment.js";
import type { ModelPrice } from "../models/prices.js";
import { writeLine, type OutStream } from "./io.js";

/** The cache `--cache` names, bound to the models of the settings; nothing without the flag. */
export async function openCacheOption(
  target: string | undefined,
  settings: ModelSettings,
  command: string,
  stderr: OutStream,
): Promise<{ cache: TpoCache; modelCache: ModelCaches } | undefined> {
  if (target === undefined) return undefined;
  const cache = await openTpoCache(target, {
    onProblem: (message) => writeLine(stderr, `${command}: ${message}`),
  });
  return { cache, modelCache: cache.forModels(modelIdentities(settings)) };
}

/**
 * What the cache saved, for a summary: requests not sent, their tokens, and with prices their
 * cost (`fromCache.costUsd`, the cost of those counts at the run's prices).
 */
export function cacheSavedLine(fromCache: Usage["fromCache"]): string | undefined {
  if (!fromCache) return undefined;
  const requests = fromCache.modelRequests ?? 0;
  const rewards = fromCache.rewardRequests ?? 0;
  const tokens = (fromCache.promptTokens ?? 0) + (fromCache.completionTokens ?? 0);
  if (requests + rewards === 0) return undefined;
  return (
    `answered ${requests} model request${requests === 1 ? "" : "s"} ` +
    `(${tokens} tokens) and ${rewards} reward request${rewards === 1 ? "" : "s"}: none of them was sent` +
    (fromCache.costUsd === undefined ? "" : `, $${formatUsd(fromCache.costUsd)} saved`)
  );
}

/**
 * The cache `--cache` names, for the judge of `tpo compare` and `tpo eval`: its verdicts, and the
 * line that says what the cache answered in this run. Nothing without the flag.
 */
export async function openJudgeCacheOption(
  target: string | undefined,
  judge: JudgeDescription,
  price: ModelPrice | undefined,
  command: string,
  stderr: OutStream,
): Promise<{ cache: TpoCache; judgeCache: JudgeCache; savedLine(): string } | undefined> {
  if (target === undefined) return undefined;
  const cache = await openTpoCache(target, {
    onProblem: (message) => writeLine(stderr, `${command}: ${message}`),
  });
  const tally = new JudgeCacheTally(price);
  return {
    cache,
    judgeCache: judgeCacheOf(cache.judgements, judge, tally.add),
    savedLine: () =>
      `Cache ${cache.where} ` +
      (tally.requests === 0
        ? "answered no judge request of this run."
        : `answered ${tally.requests} judge request${tally.requests === 1 ? "" : "s"} (${tally.tokens} tokens): ` +
          "none of them was sent" +
          (tally.costUsd === undefined ? "." : `, $${formatUsd(tally.costUsd)} saved.`)),
  };
}
