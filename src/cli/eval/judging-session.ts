import type { JudgeDescription } from "../../eval/compare/judgment.js";
import type { ModelPrice } from "../../models/prices.js";
import { lockResults } from "../batch/lock.js";
import { openJudgeCacheOption } from "../cache-option.js";
import type { OutStream } from "../io.js";

/**
 * What a `tpo eval` judging run holds while it judges: the lock on its --out (one writer at a
 * time) and, with --cache, the judge's verdicts. `close` gives both back.
 */
export async function openJudgingSession(
  out: string,
  cacheTarget: string | undefined,
  judge: JudgeDescription,
  price: ModelPrice | undefined,
  command: string,
  stderr: OutStream,
) {
  const release = lockResults(out, command);
  const cached = await openJudgeCacheOption(cacheTarget, judge, price, command, stderr).catch(
    (error: unknown) => {
      release();
      throw error;
    },
  );
  return {
    cached,
    close: async () => {
      release();
      await cached?.cache.close();
    },
  };
}
