import { TpoConfigError } from "../errors.js";
import { CAPPED_SETTINGS, type CappedCommand, type RunCaps } from "./caps.js";
import { parseTpoContext, type TpoContextInput } from "./run-settings.js";

/**
 * An operator's default run settings under the caps of `tpo <command>`: a setting left to the
 * schema's default (width 5, say) comes down to a lower cap; one set above its cap is an error
 * naming the flag; a bad default fails at start, not on the first call.
 */
export function cappedDefaults(
  defaults: TpoContextInput,
  caps: RunCaps,
  command: CappedCommand,
): TpoContextInput {
  const schemaDefaults = parseTpoContext({});
  const capped: TpoContextInput = { ...defaults };
  for (const [field, key, flag] of CAPPED_SETTINGS) {
    const given = defaults[field];
    if (given !== undefined && given > caps[key]) {
      throw new TpoConfigError(
        `tpo ${command}: the default ${field} ${given} is above the cap of ${caps[key]} (${flag}); lower one of them.`,
      );
    }
    if (given === undefined && schemaDefaults[field] > caps[key]) capped[field] = caps[key];
  }
  parseTpoContext(capped);
  return capped;
}
