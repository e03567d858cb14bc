/** One entry of a chat completion's `top_logprobs`: a token and its log-probability. */
export interface TopLogprob {
  readonly token: string;
  readonly logprob: number;
}

/**
 * alpaca_eval's weighted preference (completion_parsers.py `logprob_parser`, with
 * `numerator_token` the first label and `is_binarize: false`): among the judge's top
 * log-probabilities of its first token, the probability of the label of the output shown first,
 * normalised over the two labels, p; the preference is 2 − p, in [1, 2] (1: the first output is
 * certainly better). A label missing from the list has probability 0; null when neither is there
 * (alpaca_eval's NaN: the row counts as unannotated).
 */
export function preferenceFromTopLogprobs(
  top: readonly TopLogprob[],
  labels: readonly [first: string, second: string],
): number | null {
  const logprobOf = (label: string) => {
    const found = top.filter((t) => t.token === label).map((t) => t.logprob);
    return found.length === 0 ? -Infinity : found[found.length - 1]!; // a dict keeps the last, as alpaca_eval's
  };
  const first = logprobOf(labels[0]);
  const second = logprobOf(labels[1]);
  if (first === -Infinity && second === -Infinity) return null;
  const high = Math.max(first, second);
  const logSum = high + Math.log(Math.exp(first - high) + Math.exp(second - high));
  return 2 - Math.exp(first - logSum);
}

/**
 * The discrete judge's preference from its text: 1 when it names the first label, 2 the second,
 * null for anything else. Labels are matched exactly once surrounding whitespace and quotes are
 * removed, as the answer is one token ("m" and "M" differ only in case).
 */
export function preferenceFromLabel(text: string, labels: readonly [string, string]): number | null {
  const answer = text.trim().replace(/^["'`]+|["'`.]+$/g, "");
  if (answer === labels[0]) return 1;
  if (answer === labels[1]) return 2;
  return null;
}

/**
 * A preference of the order shown to the judge, as the annotations' order (output_1 the baseline):
 * when the outputs were shown swapped, 3 − p, as alpaca_eval's RandomSwitchTwoColumnsProcessor
 * undoes its switch.
 */
export function unswitchedPreference(preference: number | null, switched: boolean): number | null {
  return preference === null || !switched ? preference : 3 - preference;
}
