// Light (no zod): `tpo --help` reads the defaults when it declares the flags of `tpo serve`,
// `tpo mcp` and `tpo worker`.

/**
 * What one run may spend, set by the operator of a front end that runs other people's queries
 * (`tpo serve`, `tpo mcp`, `tpo worker`): a caller cannot raise them. The defaults let the paper's
 * largest setting (D5-N20) through and bound a run's cost at about 20 × (5 + 1) = 120 responses of
 * at most 4096 tokens each, and 2 × 5 critic requests of as many.
 */
export interface RunCaps {
  /** Largest width (default 20). */
  maxWidth: number;
  /** Largest depth (default 5). */
  maxDepth: number;
  /** Largest maxTokens and criticMaxTokens (and a request's max_tokens; default 4096). */
  maxTokens: number;
}

export const DEFAULT_RUN_CAPS: RunCaps = { maxWidth: 20, maxDepth: 5, maxTokens: 4096 };

/** Each capped run setting, the cap that bounds it, and the flag that sets the cap. */
export const CAPPED_SETTINGS = [
  ["width", "maxWidth", "--max-width"],
  ["depth", "maxDepth", "--max-depth"],
  ["maxTokens", "maxTokens", "--max-tokens"],
  ["criticMaxTokens", "maxTokens", "--max-tokens"],
] as const;

export type CappedSetting = (typeof CAPPED_SETTINGS)[number][0];

/** A setting above its cap. */
export interface OverCap {
  field: CappedSetting;
  value: number;
  cap: number;
  flag: string;
}

/**
 * The settings above their caps, in the order of CAPPED_SETTINGS: parsed settings, or a caller's
 * raw ones (checked before the schema, so that a value over both a cap and the schema's own
 * maximum is told the cap that the caller can ask the operator about).
 */
export function settingsOverCaps(settings: object, caps: RunCaps): OverCap[] {
  const over: OverCap[] = [];
  for (const [field, cap, flag] of CAPPED_SETTINGS) {
    const value = (settings as Partial<Record<CappedSetting, unknown>>)[field];
    if (typeof value === "number" && value > caps[cap]) over.push({ field, value, cap: caps[cap], flag });
  }
  return over;
}

/** The front ends that run other people's queries under caps. */
export type CappedCommand = "serve" | "mcp" | "worker";

/** The one text of a setting over its cap, whichever front end and cap: it names the flag that sets it. */
export function overCapLine({ field, value, cap, flag }: OverCap, command: CappedCommand): string {
  const holder = command === "worker" ? "worker" : "server";
  return `${field} ${value} is more than this ${holder} allows: at most ${cap} (tpo ${command} ${flag})`;
}
