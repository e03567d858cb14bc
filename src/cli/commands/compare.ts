import { basename, dirname, join } from "node:path";
import { CliRunError, CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { numberFlag } from "../flags.js";
import { warnOnStderr } from "../warn.js";
import { writeLine, type CliIo } from "../io.js";
import { lockResults } from "../batch/lock.js";
import { checkOutTarget, refuseInputAsOut } from "../batch/out-file.js";
import { ProgressBar } from "../batch/progress-bar.js";
import type { BatchRecord } from "../../eval/batch/record.js";
import { readLatestRecords, ResultsWriter } from "../../eval/batch/results-file.js";
import { createPairwiseJudge } from "../../eval/compare/judge.js";
import type { JudgeCache } from "../../eval/judge-cache.js";
import { openJudgeCacheOption } from "../cache-option.js";
import { describeJudge, judgeChatModel, judgeSettings } from "../compare/judge-settings.js";
import { pairsToJudge, type Judgment, type Outcome } from "../../eval/compare/judgment.js";
import { judgePairs } from "../../eval/compare/judge-pairs.js";
import { TpoWriteError } from "../../errors.js";
import { previousJudgments } from "../../eval/compare/judgments-file.js";
import { matchPairs, type Matching } from "../../eval/compare/pairs.js";
import {
  answersOf,
  answerView,
  parseSide,
  resolveSide,
  sideLabel,
  type Side,
} from "../../eval/compare/sides.js";
import { judgedInSimulation, judgmentsByJudge, summarizeJudgments } from "../../eval/compare/summary.js";
import { formatCompare } from "../compare/summary-text.js";

export interface CompareOptions extends Record<string, unknown> {
  a: string;
  b: string;
  out?: string;
  resume?: boolean;
  overwrite?: boolean;
  allowMixedJudges?: boolean;
  concurrency: string;
  json?: boolean;
  quiet?: boolean;
  /** A SQLite file or postgres:// URL of the persistent cache of the judge's verdicts (../cache-option.ts). */
  cache?: string;
  /** The experiments' name in LangSmith (`<name>,<other>` with two files): upload the verdicts there. */
  langsmith?: string;
}

interface SideInput {
  file: string;
  records: BatchRecord[];
  side: Side;
  label: string;
}

/** Both sides: their files, records, modes and labels (a label names the file when there are two). */
function sidesOf(
  first: string,
  second: string | undefined,
  options: CompareOptions,
  io: CliIo,
): [SideInput, SideInput] {
  const specA = parseSide("--a", options.a);
  const specB = parseSide("--b", options.b);
  const warn = warnOnStderr("tpo compare", io.stderr);
  const recordsA = readLatestRecords(first, { what: "<results>", view: answerView, warn });
  const recordsB =
    second === undefined ? recordsA : readLatestRecords(second, { what: "<other>", view: answerView, warn });
  const fileB = second ?? first;
  const sideA = resolveSide(specA, specB, recordsA, { flag: "--a", file: first });
  const sideB = resolveSide(specB, specA, recordsB, { flag: "--b", file: fileB });
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

const stem = (file: string) => basename(file).replace(/\.jsonl?$/, "");

/** The compare file when --out is not given: `<results>.<a>-vs-<b>.jsonl` beside the (first) results file. */
function defaultOut(a: SideInput, b: SideInput, twoFiles: boolean): string {
  const part = (s: SideInput) =>
    `${sideLabel(s.side).replace(":", "-")}${twoFiles ? `@${stem(s.file)}` : ""}`.replace(/[^\w.@-]+/g, "_");
  return join(dirname(a.file), `${stem(a.file)}.${part(a)}-vs-${part(b)}.jsonl`);
}

function listIds(ids: string[]): string {
  return ids.length <= 5 ? ids.join(", ") : `${ids.slice(0, 5).join(", ")}, … (${ids.length - 5} more)`;
}

/** Ids that could not be paired, on standard error: reported, never guessed (and escaped: they come from a file). */
function reportUnmatched(matching: Matching, a: SideInput, b: SideInput, io: CliIo): void {
  const report = (ids: string[], what: string) => {
    if (ids.length > 0)
      writeLine(io.stderr, escapeControl(`tpo compare: ${ids.length} ${what}: ${listIds(ids)}`));
  };
  report(matching.onlyA, `ids have an answer on side a (${a.label}) only, left out`);
  report(matching.onlyB, `ids have an answer on side b (${b.label}) only, left out`);
  report(matching.differentQueries, "ids name different queries in the two files, left out");
}

function tally(): { counts: Record<Outcome, number>; text: () => string } {
  const counts: Record<Outcome, number> = { a: 0, b: 0, tie: 0 };
  return { counts, text: () => `a ${counts.a} · b ${counts.b} · tie ${counts.tie}` };
}

const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0].replace(/\.+$/, "");

/** `tpo compare`'s work; ../declare/compare.ts declares the command and loads this on demand. */
export async function compareAction(
  first: string,
  second: string | undefined,
  options: CompareOptions,
  io: CliIo,
): Promise<void> {
  if (options.overwrite && options.resume)
    throw new CliUsageError("--resume and --overwrite exclude each other.");
  if (options.allowMixedJudges && !options.resume) {
    throw new CliUsageError("--allow-mixed-judges needs --resume.");
  }
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  const [a, b] = sidesOf(first, second, options, io);
  if (options.langsmith !== undefined) checkLangSmithSides(options.langsmith, a, b, second !== undefined);
  const out = options.out ?? defaultOut(a, b, second !== undefined);
  checkOutTarget(out);
  refuseInputAsOut(out, [
    { path: first, what: "<results>" },
    ...(second === undefined ? [] : [{ path: second, what: "<other>" }]),
  ]);
  const matching = matchPairs(answersOf(a.records, a.side), answersOf(b.records, b.side));
  reportUnmatched(matching, a, b, io);
  if (matching.pairs.length === 0) {
    throw new CliUsageError(
      `No query has an answer on both sides: ${a.label} answers ${matching.onlyA.length + matching.differentQueries.length} ` +
        `queries, ${b.label} ${matching.onlyB.length + matching.differentQueries.length}, and no id is on both with the same query.`,
    );
  }
  const settings = judgeSettings(options, a.records.find((r) => r.models)?.models, io.env, first);
  const judge = describeJudge(settings);
  const sides = { a: a.label, b: b.label };

  const release = lockResults(out, "tpo compare"); // before reading --out: one writer at a time
  let judgments: Judgment[];
  let cached: Awaited<ReturnType<typeof openJudgeCacheOption>>;
  try {
    cached = await openJudgeCacheOption(options.cache, judge, settings.price, "tpo compare", io.stderr);
    judgments = await judgeAll(
      matching,
      { out, sides, options, concurrency, settings, judge, cache: cached?.judgeCache },
      io,
    );
  } finally {
    release();
    await cached?.cache.close();
  }

  const groups = judgmentsByJudge(judgments);
  if (options.json) {
    for (const group of groups) writeLine(io.stdout, JSON.stringify(summarizeJudgments(group)));
  } else {
    const text = groups.map((group) => {
      const summary = summarizeJudgments(group);
      return formatCompare(summary, { judge: summary.judge, simulated: judgedInSimulation(group) });
    });
    writeLine(io.stdout, text.join("\n\n"));
  }
  if (cached) writeLine(options.json ? io.stderr : io.stdout, cached.savedLine());
  if (options.langsmith !== undefined) {
    const { uploadVerdicts } = await import("../langsmith.js");
    await uploadVerdicts(options.langsmith, { a: a.side, b: b.side }, judgments, io);
  }
}

/** --langsmith names one experiment per file, and each side is a mode's answers (an experiment), not first samples. */
function checkLangSmithSides(names: string, a: SideInput, b: SideInput, twoFiles: boolean): void {
  const count = names.split(",").filter((n) => n.trim()).length;
  if (count !== (twoFiles ? 2 : 1) || names.split(",").length !== count) {
    throw new CliUsageError(
      twoFiles
        ? "--langsmith takes the experiment names of both files, as given to tpo batch or export: <name>,<other>."
        : "--langsmith takes the experiment name given to tpo batch or export (one file: one name).",
    );
  }
  for (const side of [a, b]) {
    if (side.side.first)
      throw new CliUsageError(
        `--langsmith: ${side.label} are first samples, which have no experiment in LangSmith; compare modes.`,
      );
  }
}

/** Judges the pairs that --out has no judgment of (of these answers), appending each as it finishes; returns every pair's judgment. */
async function judgeAll(
  matching: Matching,
  run: {
    out: string;
    sides: { a: string; b: string };
    options: CompareOptions;
    concurrency: number;
    settings: ReturnType<typeof judgeSettings>;
    judge: ReturnType<typeof describeJudge>;
    cache: JudgeCache | undefined;
  },
  io: CliIo,
): Promise<Judgment[]> {
  const { out, sides, options, settings, judge } = run;
  const done = previousJudgments(out, options, sides, judge, warnOnStderr("tpo compare", io.stderr));
  const { todo, changed } = pairsToJudge(matching.pairs, done);
  if (changed > 0) {
    writeLine(
      io.stderr,
      `tpo compare: ${changed} pairs of ${out} have other answers now; judging them again.`,
    );
  }
  const pairwise = createPairwiseJudge(judgeChatModel(settings), {
    name: judge.model,
    maxRetries: settings.maxRetries,
    maxTokens: settings.maxTokens,
    cache: run.cache,
  });
  // Announced once everything is checked: a file named and then refused would mislead.
  if (options.out === undefined)
    writeLine(io.stderr, `tpo compare: judgments go to ${out} (--out names another file).`);

  const writer = new ResultsWriter<Judgment>(out, { truncate: options.overwrite });
  const outcomes = tally();
  const progress = new ProgressBar(todo.length, {
    label: "tpo compare",
    tty: io.stderr.isTTY === true,
    write: (text) => io.stderr.write(text),
    detail: outcomes.text,
  });
  const kept = () => matching.pairs.filter((p) => done.has(p.id)).length;
  let failure;
  if (!options.quiet) progress.start();
  try {
    ({ failure } = await judgePairs(todo, {
      judge: pairwise,
      sides: { ...sides, judge },
      price: settings.price,
      concurrency: run.concurrency,
      writer,
      onJudgment: (judgment) => {
        done.set(judgment.id, judgment);
        outcomes.counts[judgment.outcome]++;
        progress.tick();
      },
      onFailure: () => progress.tick(true),
    }));
  } catch (error) {
    if (!(error instanceof TpoWriteError)) throw error;
    throw new CliRunError(
      `writing ${out} failed (${reasonOf(error.cause)}), so no more pairs were judged; ${kept()} of ` +
        `${matching.pairs.length} pairs are judged in it. Make room (or fix the file), then run again with --resume.`,
      { cause: error.cause },
    );
  } finally {
    if (!options.quiet) progress.stop();
    writer.close();
  }
  if (failure !== null) {
    const { id, error } = failure as { id: string; error: unknown };
    throw new CliRunError(
      `pair ${id}: ${reasonOf(error)}. ${kept()} of ${matching.pairs.length} pairs are judged in ${out}; ` +
        "run again with --resume to judge the rest.",
      { cause: error },
    );
  }
  return matching.pairs.map((pair) => done.get(pair.id)!);
}
