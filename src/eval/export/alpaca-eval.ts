import type { Answer } from "../compare/sides.js";

/**
 * One entry of AlpacaEval's `model_outputs` JSON list (tatsu-lab/alpaca_eval, example/outputs.json
 * and results/<model>/model_outputs.json): the instruction, the model's output and the model's
 * name; `dataset` names the part of the evaluation set the instruction is from.
 */
export interface AlpacaEvalEntry {
  instruction: string;
  output: string;
  generator: string;
  dataset?: string;
}

/** The answers as AlpacaEval's model outputs, in the results' order; AlpacaEval matches them to its set by instruction. */
export function alpacaEvalEntries(
  answers: Iterable<Answer>,
  options: { generator: string; dataset?: string },
): AlpacaEvalEntry[] {
  return [...answers].map((answer) => ({
    instruction: answer.query,
    output: answer.text,
    generator: options.generator,
    ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
  }));
}

/** The file: a JSON list, indented as the repository's own files are. */
export function alpacaEvalJson(entries: AlpacaEvalEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}
