// Light (no zod): `tpo --help` reads the defaults when it declares the flags of `tpo serve`.
import { DEFAULT_RUN_CAPS, type RunCaps } from "../settings/caps.js";

/**
 * What one request may spend, set by the operator: a client cannot raise them (the caps of every
 * front end that runs other people's queries, src/settings/caps.ts). `maxTokens` bounds max_tokens
 * and max_completion_tokens too.
 */
export type ServerCaps = RunCaps;

export const DEFAULT_SERVER_CAPS: ServerCaps = DEFAULT_RUN_CAPS;
