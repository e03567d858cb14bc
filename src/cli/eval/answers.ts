import { readLatestRecords } from "../../eval/batch/results-file.js";
import { parseSide, resolveSide, sideLabel } from "../../eval/compare/sides.js";
import { ourAnswersOf, withoutCritiques, type OurAnswers } from "../../eval/leaderboard/our-answers.js";
import { CliUsageError } from "../errors.js";
import { numberFlag } from "../flags.js";
import { writeLine, type OutStream } from "../io.js";
import { warnOnStderr } from "../warn.js";

/** The answers of `--mode` (default tpo), or of `--iteration K`'s best, from a results file of `tpo batch`. */
export function readOurAnswers(
  results: string,
  options: { mode?: string; iteration?: string; modelName?: string },
  command: string,
  stderr: OutStream,
): OurAnswers {
  const spec = parseSide("--mode", options.mode ?? "tpo");
  const iteration =
    options.iteration === undefined
      ? undefined
      : numberFlag("--iteration", options.iteration, { integer: true, min: 0 });
  if (iteration !== undefined && spec.first) {
    throw new CliUsageError("--iteration picks a mode's earlier best: give a mode with it, not first.");
  }
  const records = readLatestRecords(results, {
    what: "<results>",
    view: withoutCritiques,
    warn: warnOnStderr(command, stderr),
  });
  const side = resolveSide(spec, spec, records, { flag: "--mode", file: results });
  const ours = ourAnswersOf(records, side, { iteration, modelName: options.modelName });
  if (ours.answers.size === 0)
    throw new CliUsageError(`<results>: ${results} has no answers of ${sideLabel(side)}.`);
  return ours;
}

/** One line on standard error when some runs of our side failed: they have no answer to judge. */
export function warnOfMissingAnswers(ours: OurAnswers, command: string, stderr: OutStream): void {
  if (ours.missing > 0)
    writeLine(stderr, `${command}: ${ours.missing} runs of ${ours.label} have no answer (failed); left out.`);
}
