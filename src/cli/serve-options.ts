import { TPO_PROGRESS_MODES, type TpoProgressMode } from "../adapters/progress-reasoning.js";
import { MAX_DEPTH, TpoContextSchema } from "../settings/run-settings.js";
import { normalOrigin } from "../server/guard.js";
import type { ServerCaps } from "../server/limits.js";
import type { RunCaps } from "../settings/caps.js";
import { CliUsageError } from "./errors.js";
import { numberFlag } from "./flags.js";

/** The flags of `tpo serve`, as commander hands them over. */
export interface ServeFlags {
  port: string;
  host: string;
  maxConcurrentRuns: string;
  grace: string;
  progress: string;
  models?: string;
  maxWidth: string;
  maxDepth: string;
  maxTokens: string;
  corsOrigin?: string;
  allowedHosts?: string;
  maxConnections: string;
  requestTimeout: string;
  ui?: boolean;
}

/** The flags, checked: every one is valid before the server listens. */
export interface ServeOptions {
  port: number;
  host: string;
  maxConcurrentRuns: number;
  graceMs: number;
  progress: TpoProgressMode;
  models: string[];
  caps: ServerCaps;
  corsOrigins: string[];
  allowedHosts: string[] | undefined;
  maxConnections: number;
  requestTimeoutMs: number;
  /** Serve the playground page at `/`. */
  ui: boolean;
}

export function whole(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = numberFlag(flag, value, { integer: true, min });
  if (n > max)
    throw new CliUsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

function progressMode(value: string): TpoProgressMode {
  if (TPO_PROGRESS_MODES.includes(value as TpoProgressMode)) return value as TpoProgressMode;
  throw new CliUsageError(`--progress must be ${TPO_PROGRESS_MODES.join(" or ")}, got "${value}".`);
}

function seconds(flag: string, value: string, { zero }: { zero: boolean }): number {
  const n = numberFlag(flag, value);
  if (n < 0 || (!zero && n === 0)) {
    throw new CliUsageError(
      `${flag} must be a number of seconds ${zero ? "of 0 or more" : "above 0"}, got "${value}".`,
    );
  }
  return Math.round(n * 1000);
}

export function list(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

export const largest = (field: "width" | "maxTokens") => {
  const check = TpoContextSchema.shape[field].unwrap();
  return check.maxValue ?? Number.MAX_SAFE_INTEGER;
};

/** The caps of `--max-width`, `--max-depth` and `--max-tokens` (`tpo serve`, `tpo mcp`, `tpo worker`), checked. */
export function capsOfFlags(flags: { maxWidth: string; maxDepth: string; maxTokens: string }): RunCaps {
  return {
    maxWidth: whole("--max-width", flags.maxWidth, 1, largest("width")),
    maxDepth: whole("--max-depth", flags.maxDepth, 0, MAX_DEPTH),
    maxTokens: whole("--max-tokens", flags.maxTokens, 1, largest("maxTokens")),
  };
}

/** Checks every flag of `tpo serve`; a bad one is a usage error (exit 2) naming it. */
export function parseServeFlags(flags: ServeFlags): ServeOptions {
  if (!flags.host.trim()) throw new CliUsageError("--host must name an address, e.g. 127.0.0.1.");
  const corsOrigins = list(flags.corsOrigin).map((origin) => {
    try {
      return normalOrigin(origin);
    } catch (error) {
      throw new CliUsageError(`--cors-origin: ${(error as Error).message}.`);
    }
  });
  const allowedHosts = flags.allowedHosts === undefined ? undefined : list(flags.allowedHosts);
  if (allowedHosts?.some((name) => /[\s/@]/.test(name))) {
    throw new CliUsageError(
      `--allowed-hosts takes host names such as tpo.example, got "${flags.allowedHosts}".`,
    );
  }
  return {
    port: whole("--port", flags.port, 0, 65_535),
    host: flags.host.trim(),
    maxConcurrentRuns: whole("--max-concurrent-runs", flags.maxConcurrentRuns, 1),
    graceMs: seconds("--grace", flags.grace, { zero: true }),
    progress: progressMode(flags.progress),
    models: list(flags.models),
    caps: capsOfFlags(flags),
    corsOrigins,
    allowedHosts,
    maxConnections: whole("--max-connections", flags.maxConnections, 1),
    requestTimeoutMs: seconds("--request-timeout", flags.requestTimeout, { zero: false }),
    ui: flags.ui === true,
  };
}
