import { existsSync } from "node:fs";
import { z } from "zod";
import { TpoFileError } from "../../errors.js";
import { candidateId } from "../../state/state.js";
import { readBoundedText } from "../../util/read-lines.js";
import {
  AnnotationSchema,
  ReferenceSchema,
  type Annotation,
  type Reference,
} from "../alpaca-eval/judged-files.js";
import { unswitchedPreference } from "../alpaca-eval/judge-preference.js";
import { alpacaEvalSwitches } from "../alpaca-eval/python-random.js";
import { scanResults } from "../batch/results-file.js";
import { judgeName } from "../compare/summary.js";
import { judgeLabels, judgeMessages } from "./judge-calls.js";
import {
  JudgePromptSchema,
  refuseOtherRun,
  type JudgePrompt,
  type JudgingLabels,
  type LeaderboardJudge,
  type OurAnswer,
} from "./judging.js";

/**
 * `tpo eval alpaca-eval`'s judging as a library: which pairs of the reference outputs and our
 * answers there are, which of them an earlier run judged already, and one pair's judgment (the
 * task a queue worker runs too). The caller reads the files, holds the lock and writes.
 */

/** One instruction to judge: the baseline's output and ours. */
export interface AlpacaEvalPair {
  reference: Reference;
  ours: OurAnswer;
}

export type AlpacaEvalMethod = "weighted" | "discrete";

/** The instructions that have our answer, and the two generators. */
export interface AlpacaEvalPairs {
  pairs: AlpacaEvalPair[];
  /** Instructions of the reference without our answer. */
  unmatched: number;
  /** The baseline's generator, and ours (alpaca_eval's generator_1, generator_2). */
  generator1: string;
  generator2: string;
}

/** What a judging run judges: the pairs, with the prompt and the method. */
export interface AlpacaEvalJudging extends AlpacaEvalPairs {
  prompt: JudgePrompt;
  method: AlpacaEvalMethod;
  /** The annotator column: which prompt and which method, as alpaca_eval names its annotator configs. */
  annotator: string;
}

/** alpaca_eval's reference outputs from a file's text; `where` names it ("--baseline file.json"). */
export function parseReference(text: string, where: string): Reference[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TpoFileError(`${where} is not JSON.`);
  }
  const parsed = ReferenceSchema.safeParse(value);
  if (!parsed.success) {
    throw new TpoFileError(
      `${where} is not alpaca_eval's reference outputs: expected a JSON list of { instruction, output, generator }.`,
    );
  }
  return parsed.data;
}

/** Pairs each instruction of the reference with our answer to the same query text (AlpacaEval matches by text). */
export function matchAlpacaEvalPairs(
  reference: readonly Reference[],
  ours: { answers: Iterable<OurAnswer>; model: string },
  files: Pick<JudgingLabels, "results" | "baseline">,
): AlpacaEvalPairs {
  const byQuery = new Map([...ours.answers].map((a) => [a.query, a]));
  const pairs = reference.flatMap((entry) => {
    const answer = byQuery.get(entry.instruction);
    return answer ? [{ reference: entry, ours: answer }] : [];
  });
  const generator1 = reference[0]!.generator;
  if (reference.some((r) => r.generator !== generator1)) {
    throw new TpoFileError(`${files.baseline} names several generators: give one model's outputs.`);
  }
  if (pairs.length === 0) {
    throw new TpoFileError(
      `No instruction of ${files.baseline} is a query of ${files.results}: AlpacaEval matches answers by the exact instruction text.`,
    );
  }
  return {
    pairs,
    unmatched: reference.length - pairs.length,
    generator1,
    generator2: ours.model,
  };
}

/** The pairs judged with a prompt and a method; the annotator column names both, as alpaca_eval names its annotator configs. */
export function alpacaEvalJudging(
  pairs: AlpacaEvalPairs,
  prompt: JudgePrompt,
  method: AlpacaEvalMethod,
): AlpacaEvalJudging {
  return { ...pairs, prompt, method, annotator: `${method}:${prompt.name}` };
}

/** The journal of a judging run: annotations appended one by one while judging, beside --out. */
export const journalOf = (out: string) => `${out}.partial.jsonl`;

/**
 * What earlier runs left in `out`: the annotations of annotations.json and those of its journal,
 * by instruction. Annotations of another judge, prompt, method, baseline or model are refused
 * (TpoFileError), as is a file this command did not write.
 */
export function previousAnnotations(
  out: string,
  run: AlpacaEvalJudging,
  judge: Pick<LeaderboardJudge, "description">,
  label = "--out",
): Map<string, Annotation> {
  const done = new Map<string, Annotation>();
  if (existsSync(out)) {
    let value: unknown;
    try {
      value = JSON.parse(readBoundedText(out, { name: `${label} ${out}` }));
    } catch {
      throw new TpoFileError(`${label} ${out} is not JSON.`);
    }
    const parsed = z.array(AnnotationSchema).safeParse(value);
    if (!parsed.success) {
      throw new TpoFileError(
        `${label} ${out} holds annotations that tpo eval alpaca-eval did not write: give another ${label}, or --overwrite to replace it.`,
      );
    }
    for (const row of parsed.data) done.set(row.instruction, row);
  }
  scanResults(journalOf(out), AnnotationSchema, (row) => done.set(row.instruction, row));
  for (const row of done.values()) {
    refuseOtherRun(
      out,
      [
        ["judge", judgeName({ judge: row.tpo.judge }), judgeName({ judge: judge.description })],
        ["annotator", row.annotator, run.annotator],
        ["baseline", row.generator_1, run.generator1],
        ["model", row.generator_2, run.generator2],
      ],
      label,
    );
  }
  return done;
}

/** The ids of a pair's two outputs, as an annotation records them: a changed answer is judged again. */
export function answerIdsOf(pair: AlpacaEvalPair): { output_1: string; output_2: string } {
  return { output_1: candidateId(pair.reference.output), output_2: candidateId(pair.ours.text) };
}

/** The pairs without an annotation of the same two outputs in `done`. */
export function pairsToJudge(
  run: AlpacaEvalJudging,
  done: ReadonlyMap<string, Annotation>,
): AlpacaEvalPair[] {
  return run.pairs.filter((pair) => {
    const row = done.get(pair.reference.instruction);
    const want = answerIdsOf(pair);
    return (
      row === undefined ||
      row.tpo.answers.output_1 !== want.output_1 ||
      row.tpo.answers.output_2 !== want.output_2
    );
  });
}

/** In the baseline's order: alpaca_eval reads each instruction's difficulty by its position. */
export function annotationsInOrder(
  run: AlpacaEvalJudging,
  done: ReadonlyMap<string, Annotation>,
): Annotation[] {
  return run.pairs.map((pair) => done.get(pair.reference.instruction)!);
}

/** One pair's judging, as data: everything its judgment depends on but the judge (what a queue job carries). */
export const AlpacaEvalTaskSchema = z.object({
  leaderboard: z.literal("alpaca-eval"),
  instruction: z.string(),
  output_1: z.string(),
  generator_1: z.string(),
  dataset: z.string().optional(),
  output_2: z.string(),
  generator_2: z.string(),
  prompt: JudgePromptSchema,
  method: z.enum(["weighted", "discrete"]),
});
export type AlpacaEvalTask = z.infer<typeof AlpacaEvalTaskSchema>;

export function alpacaEvalTaskOf(run: AlpacaEvalJudging, pair: AlpacaEvalPair): AlpacaEvalTask {
  return {
    leaderboard: "alpaca-eval",
    instruction: pair.reference.instruction,
    output_1: pair.reference.output,
    generator_1: run.generator1,
    ...(pair.reference.dataset === undefined ? {} : { dataset: pair.reference.dataset }),
    output_2: pair.ours.text,
    generator_2: run.generator2,
    prompt: run.prompt,
    method: run.method,
  };
}

/**
 * Judges one pair as alpaca_eval does: the outputs in the order its string-seeded random gives the
 * instruction, the preference read back in the unswitched order. `judge.model` must give top
 * log-probabilities for the weighted method.
 */
export async function judgeAlpacaEvalTask(
  judge: LeaderboardJudge,
  task: AlpacaEvalTask,
): Promise<Annotation> {
  const started = performance.now();
  const switched = alpacaEvalSwitches(task.instruction);
  const [first, second] = switched ? [task.output_2, task.output_1] : [task.output_1, task.output_2];
  const messages = judgeMessages(task.prompt.template, {
    instruction: task.instruction,
    output_1: first,
    output_2: second,
  });
  const verdict = await judgeLabels(
    judge.model,
    messages,
    task.method,
    judgeName({ judge: judge.description }),
    judge.cache,
  );
  return {
    instruction: task.instruction,
    output_1: task.output_1,
    generator_1: task.generator_1,
    ...(task.dataset === undefined ? {} : { dataset: task.dataset }),
    output_2: task.output_2,
    generator_2: task.generator_2,
    annotator: `${task.method}:${task.prompt.name}`,
    preference: unswitchedPreference(verdict.preference, switched),
    is_switched_outputs: switched,
    raw_completion: verdict.raw,
    time_per_example: (performance.now() - started) / 1000,
    tpo: {
      judge: judge.description,
      prompt: task.prompt.name,
      method: task.method,
      answers: { output_1: candidateId(task.output_1), output_2: candidateId(task.output_2) },
      usage: verdict.usage,
    },
  };
}
