import { PLAIN_DIFF_MARKS, type DiffMarks } from "../../util/word-diff.js";

/** Text styles of the explanation: ANSI colours on a terminal, the identity otherwise. */
export interface Style {
  colour: boolean;
  bold: (text: string) => string;
  dim: (text: string) => string;
  good: (text: string) => string;
  bad: (text: string) => string;
  diff: DiffMarks;
}

/**
 * Colour only on a terminal, and never with NO_COLOR set (https://no-color.org); FORCE_COLOR
 * decides otherwise, as in Node's own tools: 0 turns colour off, any other value on.
 */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR) return env.FORCE_COLOR !== "0";
  return stream.isTTY === true;
}

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\x1b[${open}m${text}\x1b[${close}m`;
}

const identity = (text: string) => text;

export function styleFor(colour: boolean): Style {
  if (!colour) {
    return {
      colour,
      bold: identity,
      dim: identity,
      good: identity,
      bad: identity,
      diff: PLAIN_DIFF_MARKS,
    };
  }
  const red = sgr(31, 39);
  const green = sgr(32, 39);
  const strike = sgr(9, 29);
  return {
    colour,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    good: green,
    bad: red,
    diff: { removed: (t) => red(strike(t)), added: green },
  };
}
