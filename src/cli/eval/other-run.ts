import { CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";

/**
 * Refuses to continue a judged file that an item shows was judged otherwise: each check is what it
 * is (judge, prompt, baseline, model), the item's value and this run's; the first that differs is
 * named (escaped: it comes from a file).
 */
export function refuseOtherRun(
  out: string,
  checks: readonly [what: string, found: string, wanted: string][],
): void {
  const differs = checks.find(([, found, wanted]) => found !== wanted);
  if (differs === undefined) return;
  throw new CliUsageError(
    escapeControl(
      `--out ${out} was judged with ${differs[0]} ${differs[1]}, not ${differs[2]}: give another --out, or --overwrite to judge again from scratch.`,
    ),
  );
}
