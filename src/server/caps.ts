// Light (no zod): `tpo --help` reads the defaults when it declares the flags of `tpo serve`.

/**
 * What one request may spend, set by the operator: a client cannot raise them. The defaults let
 * the paper's largest setting (D5-N20) through and bound a request's cost at about
 * 20 × (5 + 1) = 120 responses of at most 4096 tokens each, and 2 × 5 critic requests of as many.
 */
export interface ServerCaps {
  /** Largest `tpo.width` (default 20). */
  maxWidth: number;
  /** Largest `tpo.depth` (default 5). */
  maxDepth: number;
  /** Largest max_tokens, max_completion_tokens, `tpo.maxTokens` and `tpo.criticMaxTokens` (default 4096). */
  maxTokens: number;
}

export const DEFAULT_SERVER_CAPS: ServerCaps = { maxWidth: 20, maxDepth: 5, maxTokens: 4096 };
