import { existsSync, statSync, unlinkSync } from "node:fs";
import { z } from "zod";
import {
  AnnotationSchema,
  ReferenceSchema,
  type Annotation,
  type Reference,
} from "../../eval/alpaca-eval/judged-files.js";
import { unswitchedPreference } from "../../eval/alpaca-eval/judge-preference.js";
import { alpacaEvalSwitches } from "../../eval/alpaca-eval/python-random.js";
import { ALPACA_EVAL_JUDGE_PROMPT } from "../../prompts/leaderboard-judges.js";
import { candidateId } from "../../state/state.js";
import { writeAtomically } from "../atomic-write.js";
import { lockResults } from "../batch/lock.js";
import { openJudgeCacheOption } from "../cache-option.js";
import { checkOutTarget, refuseInputAsOut } from "../batch/out-file.js";
import { ResultsWriter, scanResults } from "../../eval/batch/results-file.js";
import { describeJudge, judgeChatModel, judgeSettings } from "../compare/judge-settings.js";
import type { JudgeDescription } from "../../eval/compare/judgment.js";
import { judgeName } from "../../eval/compare/summary.js";
import { CliUsageError } from "../errors.js";
import { escapeControl } from "../../util/escape.js";
import { numberFlag } from "../flags.js";
import { readTextInput } from "../read-input.js";
import { readOurAnswers, warnOfMissingAnswers, type OurAnswer } from "../eval/answers.js";
import { judgeInBatch } from "../eval/judge-batch.js";
import { writeLine, type CliIo } from "../io.js";
import {
  addUsage,
  ALPACA_EVAL_TOP_LOGPROBS,
  judgeLabels,
  judgeMessages,
  noUsage,
  type JudgeUsage,
} from "../../eval/leaderboard/judge-calls.js";
import { judgePromptOf, type JudgePrompt } from "../eval/judge-template.js";
import { refuseOtherRun } from "../eval/other-run.js";
import { judgeFooter } from "../eval/judge-footer.js";
import { scoreAlpacaEvalAction } from "./eval-score.js";

export interface JudgeAlpacaEvalOptions extends Record<string, unknown> {
  baseline: string;
  out: string;
  mode?: string;
  iteration?: string;
  modelName?: string;
  discrete?: boolean;
  judgeTemplate?: string;
  gamed?: string;
  concurrency: string;
  overwrite?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** A SQLite file or postgres:// URL of the persistent cache of the judge's verdicts (../cache-option.ts). */
  cache?: string;
}

const COMMAND = "tpo eval alpaca-eval";

function parseJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readTextInput(path, what));
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw new CliUsageError(`${what} ${path} is not JSON.`);
  }
}

function readReference(path: string): Reference[] {
  const parsed = ReferenceSchema.safeParse(parseJsonFile(path, "--baseline"));
  if (!parsed.success) {
    throw new CliUsageError(
      `--baseline ${path} is not alpaca_eval's reference outputs: expected a JSON list of { instruction, output, generator }.`,
    );
  }
  return parsed.data;
}

/** The annotator column: which prompt and which method, as alpaca_eval names its annotator configs. */
function annotatorName(prompt: JudgePrompt, method: "weighted" | "discrete"): string {
  return `${method}:${prompt.name}`;
}

/**
 * What earlier runs left in --out: the annotations of annotations.json and those of its journal
 * (`<out>.partial.jsonl`, appended one by one while judging), by instruction. Annotations of
 * another judge, prompt, method, baseline or model are a usage error, as is a file this command did
 * not write.
 */
function previousAnnotations(
  out: string,
  journal: string,
  expect: { judge: JudgeDescription; annotator: string; generator1: string; generator2: string },
): Map<string, Annotation> {
  const done = new Map<string, Annotation>();
  if (existsSync(out)) {
    const parsed = z.array(AnnotationSchema).safeParse(parseJsonFile(out, "--out"));
    if (!parsed.success) {
      throw new CliUsageError(
        `--out ${out} holds annotations that ${COMMAND} did not write: give another --out, or --overwrite to replace it.`,
      );
    }
    for (const row of parsed.data) done.set(row.instruction, row);
  }
  scanResults(journal, AnnotationSchema, (row) => done.set(row.instruction, row));
  for (const row of done.values()) {
    refuseOtherRun(out, [
      ["judge", judgeName({ judge: row.tpo.judge }), judgeName({ judge: expect.judge })],
      ["annotator", row.annotator, expect.annotator],
      ["baseline", row.generator_1, expect.generator1],
      ["model", row.generator_2, expect.generator2],
    ]);
  }
  return done;
}

interface Pair {
  reference: Reference;
  ours: OurAnswer;
}

/** `tpo eval alpaca-eval`'s work; ../declare/eval.ts declares the command and loads this on demand. */
export async function judgeAlpacaEvalAction(
  results: string,
  options: JudgeAlpacaEvalOptions,
  io: CliIo,
): Promise<void> {
  const concurrency = numberFlag("--concurrency", options.concurrency, { integer: true, min: 1 });
  const out = options.out;
  const journal = `${out}.partial.jsonl`;
  checkOutTarget(out);
  refuseInputAsOut(out, [
    { path: results, what: "<results>" },
    { path: options.baseline, what: "--baseline" },
    ...(options.judgeTemplate ? [{ path: options.judgeTemplate, what: "--judge-template" }] : []),
  ]);
  const ours = readOurAnswers(results, options, COMMAND, io.stderr);
  const reference = readReference(options.baseline);
  const byQuery = new Map([...ours.answers.values()].map((a) => [a.query, a]));
  const pairs: Pair[] = reference.flatMap((entry) => {
    const answer = byQuery.get(entry.instruction);
    return answer ? [{ reference: entry, ours: answer }] : [];
  });
  const generator1 = reference[0]!.generator;
  if (reference.some((r) => r.generator !== generator1)) {
    throw new CliUsageError(
      `--baseline ${options.baseline} names several generators: give one model's outputs.`,
    );
  }
  if (pairs.length === 0) {
    throw new CliUsageError(
      `No instruction of --baseline ${options.baseline} is a query of ${results}: AlpacaEval matches answers by the exact instruction text.`,
    );
  }
  const unmatched = reference.length - pairs.length;
  if (unmatched > 0)
    writeLine(
      io.stderr,
      `${COMMAND}: ${unmatched} of ${reference.length} instructions have no answer in ${results}; left out.`,
    );
  warnOfMissingAnswers(ours, COMMAND, io.stderr);

  const prompt = judgePromptOf(options.judgeTemplate, ["instruction", "output_1", "output_2"], {
    template: ALPACA_EVAL_JUDGE_PROMPT,
    name: "tpo:alpaca-eval-judge-v1",
  });
  const method = options.discrete ? "discrete" : "weighted";
  const settings = judgeSettings(options, ours.recordedModels, io.env, results);
  const judge = describeJudge(settings);
  const annotator = annotatorName(prompt, method);
  const model = judgeChatModel(
    settings,
    method === "weighted" ? { topLogprobs: ALPACA_EVAL_TOP_LOGPROBS } : {},
  );

  const release = lockResults(out, COMMAND);
  const cached = await openJudgeCacheOption(options.cache, judge, settings.price, COMMAND, io.stderr).catch(
    (error: unknown) => {
      release();
      throw error;
    },
  );
  const usage: JudgeUsage = noUsage();
  let judged = 0;
  try {
    const done = options.overwrite
      ? new Map<string, Annotation>()
      : previousAnnotations(out, journal, { judge, annotator, generator1, generator2: ours.model });
    if (options.overwrite && existsSync(journal)) unlinkSync(journal);
    const ids = (pair: Pair) => ({
      output_1: candidateId(pair.reference.output),
      output_2: candidateId(pair.ours.text),
    });
    const todo = pairs.filter((pair) => {
      const row = done.get(pair.reference.instruction);
      const want = ids(pair);
      return (
        row === undefined ||
        row.tpo.answers.output_1 !== want.output_1 ||
        row.tpo.answers.output_2 !== want.output_2
      );
    });
    const writer = new ResultsWriter<Annotation>(journal);
    try {
      await judgeInBatch(todo, {
        stderr: io.stderr,
        command: COMMAND,
        out: journal, // where a failed run's judgments wait for the rerun
        concurrency,
        quiet: options.quiet,
        kept: () => pairs.filter((p) => done.has(p.reference.instruction)).length,
        total: pairs.length,
        idOf: (pair) => `instruction "${pair.reference.instruction.slice(0, 40)}"`,
        judge: async (pair) => {
          const started = performance.now();
          const switched = alpacaEvalSwitches(pair.reference.instruction);
          const [first, second] = switched
            ? [pair.ours.text, pair.reference.output]
            : [pair.reference.output, pair.ours.text];
          const messages = judgeMessages(prompt.template, {
            instruction: pair.reference.instruction,
            output_1: first,
            output_2: second,
          });
          const verdict = await judgeLabels(
            model,
            messages,
            method,
            judgeName({ judge }),
            cached?.judgeCache,
          );
          const row: Annotation = {
            instruction: pair.reference.instruction,
            output_1: pair.reference.output,
            generator_1: generator1,
            ...(pair.reference.dataset === undefined ? {} : { dataset: pair.reference.dataset }),
            output_2: pair.ours.text,
            generator_2: ours.model,
            annotator,
            preference: unswitchedPreference(verdict.preference, switched),
            is_switched_outputs: switched,
            raw_completion: verdict.raw,
            time_per_example: (performance.now() - started) / 1000,
            tpo: { judge, prompt: prompt.name, method, answers: ids(pair), usage: verdict.usage },
          };
          return row;
        },
        keep: (row) => {
          writer.append(row);
          done.set(row.instruction, row);
          addUsage(usage, row.tpo.usage);
          judged++;
        },
      });
    } finally {
      writer.close();
      if (statSync(journal).size === 0) unlinkSync(journal); // nothing judged: no journal left behind
    }
    // In the baseline's order: alpaca_eval reads each instruction's difficulty by its position.
    const rows = pairs.map((pair) => done.get(pair.reference.instruction)!);
    writeAtomically(out, `${JSON.stringify(rows, null, 2)}\n`);
    if (existsSync(journal)) unlinkSync(journal);
  } finally {
    release();
    await cached?.cache.close();
  }
  scoreAlpacaEvalAction(out, { gamed: options.gamed, json: options.json }, io);
  const lines = judgeFooter({
    judged,
    kept: pairs.length - judged,
    out,
    judge: judgeName({ judge }),
    prompt: prompt.name,
    method:
      method === "weighted"
        ? "weighted by the judge's log-probabilities of m and M"
        : "DISCRETE (--discrete): the label the judge wrote, not the leaderboard's weighted preference",
    baseline: generator1,
    usage,
    simulated: settings.backend === "sim" || judge.model.startsWith("tpo-sim"),
  });
  writeLine(options.json ? io.stderr : io.stdout, escapeControl(lines.join("\n")));
  if (cached) writeLine(options.json ? io.stderr : io.stdout, cached.savedLine());
}
