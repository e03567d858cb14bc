import { TpoError } from "../errors.js";

/**
 * A file given to the scoring is unusable: annotations whose model column changes, a preference
 * outside [0, 2], a judgments file with an unknown verdict, a df_gamed.csv without the columns
 * the length-controlled win rate needs. `source` names the file (or "annotations" for data passed
 * in memory); the message is one line that says what to fix.
 */
export class EvalInputError extends TpoError {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}
