import { CliRunError, CliUsageError } from "../errors.js";
import { numberFlag } from "../flags.js";
import { mapWithConcurrency } from "../../util/map-with-concurrency.js";
import { ProgressBar } from "../batch/progress-bar.js";
import type { BatchRecord } from "../batch/record.js";
import { readLatestRecords, ResultsWriter } from "../batch/results-file.js";
import { createPairwiseJudge } from "../compare/judge.js";
import { describeJudge, judgeChatModel, judgeSettings } from "../compare/judge-settings.js";
import { judgePair, judgesPair, type Judgment, type Outcome } from "../compare/judgment.js";
import { previousJudgments } from "../compare/judgments-file.js";
import { matchPairs, type Matching } from "../compare/pairs.js";
import { answersOf, modesOf, parseSide, resolveSide, sideLabel, type Side } from "../compare/sides.js";
import { formatCompare, judgedInSimulation, judgeName, summarizeJudgments } from "../compare/summary.js";

export interface CompareOptions extends Record<string, unknown> {
  a: string;
  b: string;
  out: string;
  resume?: boolean;
  overwrite?: boolean;
  concurrency: string;
  json?: boolean;
  quiet?: boolean;
}

interface SideInput {
  file: string;
  records: BatchRecord[];
  side: Side;
  label: string;
}

/** Both sides: their files, records, modes and labels (a label names the file when there are two). */
function sidesOf(first: string, second: string | undefined, options: CompareOptions): [SideInput, SideInput] {
  const specA = parseSide("--a", options.a);
  const specB = parseSide("--b", options.b);
  const recordsA = readLatestRecords(first, "<results>", "tpo compare");
  const recordsB = second === undefined ? recordsA : readLatestRecords(second, "<other>", "tpo compare");
  const fileB = second ?? first;
  const sideA = resolveSide(specA, specB, modesOf(recordsA), { flag: "--a", file: first });
  const sideB = resolveSide(specB, specA, modesOf(recordsB), { flag: "--b", file: fileB });
  const label = (side: Side, file: string) => `${sideLabel(side)}${second === undefined ? "" : `@${file}`}`;
  if (label(sideA, first) === label(sideB, fileB)) {
    throw new CliUsageError(
      `--a and --b are the same answers (${label(sideA, first)}): compare two different sides.`,
    );
  }
  return [
    { file: first, records: recordsA, side: sideA, label: label(sideA, first) },
    { file: fileB, records: recordsB, side: sideB, label: label(sideB, fileB) },
  ];
}

function listIds(ids: string[]): string {
  return ids.length <= 5 ? ids.join(", ") : `${ids.slice(0, 5).join(", ")}, … (${ids.length - 5} more)`;
}

/** Ids that could not be paired, on standard error: reported, never guessed. */
function reportUnmatched(matching: Matching, a: SideInput, b: SideInput): void {
  const report = (ids: string[], what: string) => {
    if (ids.length > 0) console.error(`tpo compare: ${ids.length} ${what}: ${listIds(ids)}`);
  };
  report(matching.onlyA, `ids have an answer on side a (${a.label}) only, left out`);
  report(matching.onlyB, `ids have an answer on side b (${b.label}) only, left out`);
  report(matching.differentQueries, "ids name different queries in the two files, left out");
}

function tally(): { counts: Record<Outcome, number>; text: () => string } {
  const counts: Record<Outcome, number> = { a: 0, b: 0, tie: 0 };
  return { counts, text: () => `a ${counts.a} · b ${counts.b} · tie ${counts.tie}` };
}

/** `tpo compare`'s work; ../declare/compare.ts declares the command and loads this on demand. */
export async function compareAction(
  first: string,
  second: string | undefined,
  options: CompareOptions,
): Promise<void> {
  if (options.overwrite && options.resume)
    throw new CliUsageError("--resume and --overwrite exclude each other.");
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  const [a, b] = sidesOf(first, second, options);
  const matching = matchPairs(answersOf(a.records, a.side), answersOf(b.records, b.side));
  reportUnmatched(matching, a, b);
  if (matching.pairs.length === 0) {
    throw new CliUsageError(
      `No query has an answer on both sides: ${a.label} answers ${matching.onlyA.length + matching.differentQueries.length} ` +
        `queries, ${b.label} ${matching.onlyB.length + matching.differentQueries.length}, and no id is on both with the same query.`,
    );
  }
  const sides = { a: a.label, b: b.label };
  const done = previousJudgments(options.out, options, sides);
  const todo = matching.pairs.filter((pair) => {
    const judged = done.get(pair.id);
    return judged === undefined || !judgesPair(judged, pair);
  });
  const changed = todo.filter((pair) => done.has(pair.id)).length;
  if (changed > 0) {
    console.error(
      `tpo compare: ${changed} pairs of ${options.out} have other answers now; judging them again.`,
    );
  }
  const settings = judgeSettings(options, a.records.find((r) => r.models)?.models);
  const judge = describeJudge(settings);
  const pairwise = createPairwiseJudge(judgeChatModel(settings), {
    name: judge.model,
    maxRetries: settings.maxRetries,
  });

  const writer = new ResultsWriter<Judgment>(options.out, { truncate: options.overwrite });
  const outcomes = tally();
  const progress = new ProgressBar(todo.length, {
    label: "tpo compare",
    tty: process.stderr.isTTY === true,
    detail: outcomes.text,
  });
  let failure: { id: string; error: unknown } | null = null;
  if (!options.quiet) progress.start();
  try {
    // After a failure no new pair starts; the pairs in flight finish and are kept.
    await mapWithConcurrency(todo, concurrency, async (pair) => {
      if (failure) return;
      try {
        const judgment = await judgePair(pairwise, pair, { ...sides, judge });
        writer.append(judgment);
        done.set(judgment.id, judgment);
        outcomes.counts[judgment.outcome]++;
        progress.tick();
      } catch (error) {
        failure ??= { id: pair.id, error };
        progress.tick(true);
      }
    });
  } finally {
    if (!options.quiet) progress.stop();
    writer.close();
  }
  if (failure !== null) {
    const { id, error } = failure as { id: string; error: unknown };
    const reason = (error instanceof Error ? error.message : String(error))
      .split("\n")[0]
      .replace(/\.+$/, "");
    const kept = matching.pairs.filter((p) => done.has(p.id)).length;
    throw new CliRunError(
      `pair ${id}: ${reason}. ${kept} of ${matching.pairs.length} pairs are judged in ${options.out}; ` +
        "run again with --resume to judge the rest.",
      { cause: error },
    );
  }

  const judgments = matching.pairs.map((pair) => done.get(pair.id)!);
  const summary = summarizeJudgments(judgments);
  if (options.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(
    formatCompare(summary, { judge: judgeName(judgments[0]), simulated: judgedInSimulation(judgments) }),
  );
}
