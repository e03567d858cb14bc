import {
  TpoContextSchema,
  type TpoContext,
  type TpoContextInput,
  type TpoMode,
} from "../../settings/run-settings.js";
import { MODES } from "../../eval/batch/record.js";
import { CliUsageError } from "../errors.js";
import { flagOfField, parseSettings } from "../flags.js";

export function parseModes(text: string): TpoMode[] {
  const modes = text
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  const bad = modes.find((m) => !MODES.includes(m as TpoMode));
  if (bad !== undefined || modes.length === 0) {
    throw new CliUsageError(`--modes takes a comma-separated list of ${MODES.join(", ")}; got "${text}".`);
  }
  return [...new Set(modes)] as TpoMode[];
}

/**
 * The settings of each mode at the same candidate budget: tpo and revision write N candidates in
 * each of D+1 steps, so best-of-N samples N·(D+1) at once.
 */
export function settingsPerMode(
  base: TpoContextInput,
  modes: TpoMode[],
  modesFlag: boolean,
): Map<TpoMode, TpoContext> {
  const common = parseSettings({ ...base, mode: modes[0] });
  const settings = new Map<TpoMode, TpoContext>();
  for (const mode of modes) {
    if (mode !== "bon" || !modesFlag) {
      settings.set(mode, parseSettings({ ...base, mode }));
      continue;
    }
    const width = common.width * (common.depth + 1);
    if (!TpoContextSchema.shape.width.safeParse(width).success) {
      throw new CliUsageError(
        `--modes: bon at the same budget needs width N·(D+1) = ${common.width}·${common.depth + 1} = ${width}, ` +
          `more than the largest width allows; lower --width or --depth, or run bon on its own with --mode bon.`,
      );
    }
    settings.set(mode, parseSettings({ ...base, mode, width, depth: 0 }, flagOfField));
  }
  return settings;
}
