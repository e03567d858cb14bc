import type { McpCaps } from "../mcp/settings.js";
import { CliUsageError } from "./errors.js";
import { capsOfFlags, list, whole } from "./serve-options.js";

/** The flags of `tpo mcp`, as commander hands them over (model flags apart). */
export interface McpFlags {
  maxWidth: string;
  maxDepth: string;
  maxTokens: string;
  maxConcurrentRuns: string;
  http?: string;
  host: string;
  allowedHosts?: string;
}

export interface McpOptions {
  caps: McpCaps;
  maxConcurrentRuns: number;
  /** The port of the streamable HTTP transport; undefined: standard input and output. */
  httpPort: number | undefined;
  host: string;
  allowedHosts: string[] | undefined;
}

/** Checks every flag of `tpo mcp`; a bad one is a usage error (exit 2) naming it. */
export function parseMcpFlags(flags: McpFlags): McpOptions {
  if (!flags.host.trim()) throw new CliUsageError("--host must name an address, e.g. 127.0.0.1.");
  const allowedHosts = flags.allowedHosts === undefined ? undefined : list(flags.allowedHosts);
  if (allowedHosts?.some((name) => /[\s/@]/.test(name))) {
    throw new CliUsageError(
      `--allowed-hosts takes host names such as tpo.example, got "${flags.allowedHosts}".`,
    );
  }
  const httpPort = flags.http === undefined ? undefined : whole("--http", flags.http, 0, 65_535);
  if (httpPort === undefined && (flags.host.trim() !== "127.0.0.1" || allowedHosts !== undefined)) {
    throw new CliUsageError("--host and --allowed-hosts apply to --http only: add --http <port>.");
  }
  return {
    caps: capsOfFlags(flags),
    maxConcurrentRuns: whole("--max-concurrent-runs", flags.maxConcurrentRuns, 1),
    httpPort,
    host: flags.host.trim(),
    allowedHosts,
  };
}
