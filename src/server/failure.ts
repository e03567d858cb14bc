import { upstreamAnswer, type TpoFailure } from "../run/failure.js";
import { ApiError } from "./http-io.js";

/**
 * An upstream failure as an API client may see it: a 502 naming the step and the status, never
 * the upstream's address or body (those are for the server's log).
 */
export function upstreamApiError(failure: TpoFailure): ApiError {
  return new ApiError(
    502,
    `The TPO run failed: ${failure.step ? `the ${failure.step} step's` : "an"} upstream ${failure.role} ` +
      `${upstreamAnswer(failure)}. The TPO server's log has the details.`,
    "server_error",
    null,
    "upstream_error",
  );
}
