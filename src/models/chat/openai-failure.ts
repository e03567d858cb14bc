import { ModelRequestError } from "../../errors.js";
import { afterAttempts, retryableAnswer, retryAfterOf, type GaveUp } from "../../http/retry.js";
import { zodIssues } from "../../util/zod-issues.js";

/** A failed chat completion request, as the retry loop and the error message read it. */
export interface ModelFailure {
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
  detail: string;
  /** What the user can do about it. */
  hint: string;
}

function hintOfStatus(status: number): string {
  if (status === 401 || status === 403) return "Check OPENAI_API_KEY.";
  if (status === 404)
    return "Check TPO_MODEL and OPENAI_BASE_URL (an OpenAI-compatible base URL usually ends in /v1).";
  if (status === 429)
    return "The server is rate limiting: lower the width or try later; TPO_MAX_RETRIES allows more retries.";
  if (status >= 500) return "The server is failing; check its logs, or try later.";
  return "Check the request settings.";
}

/**
 * Reads an error of one attempt of a chat completion request (see retrying-fetch.ts) or of the
 * OpenAI SDK: its status, whether retrying can help, and a hint.
 */
export function classifyModelFailure(error: unknown, timeoutMs: number | undefined): ModelFailure {
  const e = error as {
    status?: unknown;
    name?: unknown;
    message?: unknown;
    code?: unknown;
    constructor?: { name?: string };
  };
  const message = typeof e?.message === "string" ? e.message : String(error);
  const status = typeof e?.status === "number" ? e.status : undefined;
  if (status !== undefined && status >= 200 && status < 300) {
    // A 2xx that failed is an answer that could not be read: the server's fault, like a 5xx.
    return {
      status,
      retryable: true,
      detail: `status ${status} with ${message}`,
      hint: "Is this an OpenAI-compatible server, or is a proxy in between answering for it?",
    };
  }
  if (status !== undefined) {
    return {
      status,
      retryable: retryableAnswer(status, { code: e.code, message }),
      retryAfterMs: retryAfterOf((error as { headers?: unknown }).headers),
      detail: `status ${status} (${message})`,
      hint: hintOfStatus(status),
    };
  }
  if (e?.name === "TimeoutError" || e?.constructor?.name === "APIConnectionTimeoutError") {
    return {
      retryable: true,
      detail: `no response within ${timeoutMs === undefined ? "the timeout" : `${timeoutMs} ms`}`,
      hint: "Raise TPO_TIMEOUT_MS, lower maxTokens, or check that the server is not overloaded.",
    };
  }
  // The SDK's connection error, or fetch's (an attempt of the retrying fetch).
  if (
    e?.constructor?.name === "APIConnectionError" ||
    (error instanceof TypeError && message === "fetch failed")
  ) {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    return {
      retryable: true,
      detail: `connection failed (${cause?.code ?? cause?.message ?? message})`,
      hint: "Is the server running and is OPENAI_BASE_URL right?",
    };
  }
  if (error instanceof SyntaxError) {
    return {
      retryable: false,
      detail: `the response body is not valid JSON (${message})`,
      hint: "Is this an OpenAI-compatible server?",
    };
  }
  const schema = zodIssues(error);
  if (schema !== null) {
    return { retryable: false, detail: `the answer does not fit the expected schema (${schema})`, hint: "" };
  }
  return { retryable: false, detail: message, hint: "" };
}

/** The ModelRequestError that ends the retries: the endpoint, the last status, what to do. */
export function modelRequestError(
  endpoint: string,
  { failure, error, attempts, refusedWaitMs }: GaveUp<ModelFailure>,
): ModelRequestError {
  const wait =
    refusedWaitMs === undefined
      ? ""
      : ` The server asked to retry after ${Math.round(refusedWaitMs / 1000)} s.`;
  return new ModelRequestError(
    `Model request to ${endpoint} failed ${afterAttempts(attempts)}: ${failure.detail}.${wait} ${failure.hint}`.trim(),
    endpoint,
    failure.status,
    attempts,
    { cause: error },
  );
}
