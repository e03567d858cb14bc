import { existsSync } from "node:fs";
import { openTpoCache, parseDuration } from "../../cache/open-cache.js";
import { isPostgresUrl } from "../../queue/url.js";
import { CliUsageError } from "../errors.js";
import { writeLine, type CliIo } from "../io.js";

export interface CachePruneOptions {
  olderThan: string;
}

function entries(counts: Record<string, number>): string {
  const some = (n: number | undefined, what: string) => `${n ?? 0} ${what}${n === 1 ? "" : "s"}`;
  return `${some(counts.chat, "response")}, ${some(counts.score, "score")} and ${some(counts.judgement, "verdict")}`;
}

/** `tpo cache prune`'s work; ../declare/cache.ts declares the command and loads this on demand. */
export async function cachePruneAction(target: string, options: CachePruneOptions, io: CliIo): Promise<void> {
  const age = parseDuration(options.olderThan);
  if (age === undefined) {
    throw new CliUsageError(
      `--older-than must be an age such as "30d", "12h", "90m" or "45s", got "${options.olderThan}".`,
    );
  }
  if (!isPostgresUrl(target) && !existsSync(target)) {
    throw new CliUsageError(`${target} does not exist; name the file given to --cache.`);
  }
  const cache = await openTpoCache(target);
  try {
    const deleted = await cache.prune(age);
    writeLine(
      io.stdout,
      `Deleted ${deleted} entr${deleted === 1 ? "y" : "ies"} older than ${options.olderThan} from ${cache.where}; ` +
        `${entries(await cache.count())} left.`,
    );
  } finally {
    await cache.close();
  }
}
