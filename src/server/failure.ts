import { HttpRequestError, ModelRequestError, RewardRequestError } from "../errors.js";
import { redactUrls } from "../http/redact.js";
import { ApiError } from "./http-io.js";

/** The first upstream request failure in an error's chain of causes, and what it was talking to. */
function upstreamOf(error: unknown): { what: string; status: number | undefined } | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof RewardRequestError) return { what: "reward server", status: e.status };
    if (e instanceof ModelRequestError) return { what: "model server", status: e.status };
    if (e instanceof HttpRequestError) return { what: "server", status: e.status };
  }
  return null;
}

/**
 * An upstream failure as an API client may see it: a 502 naming the step and the status, never
 * the upstream's address or body (those are for the server's log); null for other errors.
 */
export function upstreamApiError(error: unknown, step: string | null): ApiError | null {
  const upstream = upstreamOf(error);
  if (!upstream) return null;
  const answered =
    upstream.status === undefined
      ? "gave no answer (a timeout or a connection error)"
      : `answered HTTP ${upstream.status}`;
  return new ApiError(
    502,
    `The TPO run failed: ${step ? `the ${step} step's` : "an"} upstream ${upstream.what} ${answered}. ` +
      "The TPO server's log has the details.",
    "server_error",
    null,
    "upstream_error",
  );
}

/** An error's message for a log line or an answer: credentials in URLs hidden. */
export function safeMessage(error: unknown): string {
  return redactUrls(error instanceof Error ? error.message : String(error));
}
