import {
  HttpRequestError,
  ModelRequestError,
  RewardRequestError,
  TpoConfigError,
  TpoInputError,
  TpoSettingsError,
  TpoStepError,
} from "../errors.js";
import { redactUrls } from "../util/redact.js";
import { retryableAnswer } from "../http/retry.js";

/** Which upstream a failed request went to. */
export type UpstreamRole = "model server" | "reward server" | "server";

/**
 * A failed run, in the one shape that every front end renders: the CLI as one line and an exit
 * code, `tpo serve` as a status and an error body, `tpo mcp` as an `isError` result, the LangChain
 * tool as the error an agent reads.
 */
export interface TpoFailure {
  /**
   * input: the query or messages; settings: a run setting (`field`); config: how the models are set
   * up; upstream: a model, reward or judge server failed for good; internal: anything else.
   */
  kind: "input" | "settings" | "config" | "upstream" | "internal";
  /** The graph node that failed, when known. */
  step: string | null;
  /** The run setting at fault (kind "settings"). */
  field?: string;
  /** The server a failed request went to (kind "upstream"). */
  role?: UpstreamRole;
  /** The reward server's kind (role "reward server"): vllm, tei, … */
  rewardKind?: string;
  /** Its address, credentials hidden, when the error knows it (kind "upstream"). */
  server?: string;
  /** Its last HTTP status; undefined when none came (a timeout, a connection error). */
  status?: number;
  /** Whether the same run may succeed later as it is: an upstream that gave no answer, 408, 429 or 5xx. */
  retryable: boolean;
  /** The error's own message, credentials hidden; it may have several lines (a set-up help). */
  message: string;
}

/** The first error of a kind in an error's chain of causes. */
function findCause<T extends Error>(error: unknown, kind: abstract new (...args: never[]) => T): T | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof kind) return e;
  }
  return null;
}

/** The first upstream request failure in an error's chain of causes, and where it went. */
function upstreamOf(error: unknown): Pick<TpoFailure, "role" | "rewardKind" | "server" | "status"> | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof RewardRequestError) {
      return { role: "reward server", rewardKind: e.kind, server: e.url, status: e.status };
    }
    if (e instanceof ModelRequestError) return { role: "model server", server: e.endpoint, status: e.status };
    if (e instanceof HttpRequestError) return { role: "server", server: e.url, status: e.status };
  }
  return null;
}

/** Whether running again may help: no answer (a timeout, a lost connection), or a status the clients retry. */
function isRetryable(status: number | undefined): boolean {
  return status === undefined || retryableAnswer(status);
}

function messageOf(error: unknown): string {
  return redactUrls(error instanceof Error ? error.message : String(error));
}

/** A message's first line, for renderers that print one. */
export function firstLine(message: string): string {
  return message.split("\n")[0].trim();
}

/** What a run's error was (`step`: the failed node, when the error does not say). */
export function failureOf(error: unknown, step: string | null = null): TpoFailure {
  if (error instanceof TpoStepError) return failureOf(error.cause, error.step ?? step);
  const settings = findCause(error, TpoSettingsError);
  if (settings) {
    return { kind: "settings", step, field: settings.field, retryable: false, message: messageOf(settings) };
  }
  const input = findCause(error, TpoInputError);
  if (input) return { kind: "input", step, retryable: false, message: messageOf(input) };
  const upstream = upstreamOf(error);
  if (upstream) {
    const server = upstream.server === undefined ? undefined : redactUrls(upstream.server);
    return {
      kind: "upstream",
      step,
      ...upstream,
      server,
      retryable: isRetryable(upstream.status),
      message: messageOf(error),
    };
  }
  const config = findCause(error, TpoConfigError);
  if (config) return { kind: "config", step, retryable: false, message: messageOf(config) };
  return { kind: "internal", step, retryable: false, message: messageOf(error) };
}

/** What an upstream's answer was, in words: "answered HTTP 503", or that none came. */
export function upstreamAnswer(failure: Pick<TpoFailure, "status">): string {
  return failure.status === undefined
    ? "gave no answer (a timeout or a connection error)"
    : `answered HTTP ${failure.status}`;
}

/**
 * A text with every address taken out, for callers on the other side of a server (an API client,
 * an agent): an address may carry credentials, and says where the operator's servers are.
 */
export function withoutAddresses(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, "(address hidden)");
}
