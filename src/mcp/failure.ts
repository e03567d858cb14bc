import {
  HttpRequestError,
  ModelRequestError,
  RewardRequestError,
  TpoConfigError,
  TpoInputError,
  TpoSettingsError,
  TpoStepError,
} from "../errors.js";

/** The first upstream request failure in an error's chain of causes, and what it was talking to. */
function upstreamOf(error: unknown): { what: string; status: number | undefined } | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof RewardRequestError) return { what: "reward server", status: e.status };
    if (e instanceof ModelRequestError) return { what: "model server", status: e.status };
    if (e instanceof HttpRequestError) return { what: "server", status: e.status };
  }
  return null;
}

/** The first error of a kind in an error's chain of causes. */
function findCause<T extends Error>(error: unknown, kind: abstract new (...args: never[]) => T): T | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof kind) return e;
  }
  return null;
}

/**
 * A message's first line without any address in it: an address may carry credentials, and the
 * log on stderr keeps the whole error for the operator.
 */
function plainLine(message: string): string {
  return message
    .split("\n")[0]
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, "(address hidden)")
    .trim();
}

/**
 * A failed call as the agent sees it: one line naming the step and the upstream status, never an
 * address, a key or an upstream body. Bad arguments and settings keep their own message.
 */
export function failureLine(error: unknown): string {
  const step = error instanceof TpoStepError ? error.step : null;
  const input = findCause(error, TpoSettingsError) ?? findCause(error, TpoInputError);
  if (input) return plainLine(input.message);
  const upstream = upstreamOf(error);
  const where = step ? `the ${step} step` : "a step";
  if (upstream) {
    const answered =
      upstream.status === undefined
        ? "gave no answer (a timeout or a connection error)"
        : `answered HTTP ${upstream.status}`;
    return `TPO failed: in ${where}, the ${upstream.what} ${answered}. The tpo mcp log has the details.`;
  }
  const config = findCause(error, TpoConfigError);
  if (config) return `TPO's models are not configured: ${plainLine(config.message)}`;
  const cause = error instanceof TpoStepError ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return `TPO failed in ${where}: ${plainLine(message)}`;
}
