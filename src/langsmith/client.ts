import type { Client, ClientConfig } from "langsmith";
import { TpoConfigError, TpoLangSmithError } from "../errors.js";
import { notRetriedResponse } from "../compat/langsmith-no-retry.js";
import { firstLineOf, importModule, isModuleNotFound, type ImportModule } from "../util/optional-module.js";

export const LANGSMITH_PACKAGE = "langsmith";

/** How long a request waits for LangSmith's answer before the upload gives up (TPO_LANGSMITH_TIMEOUT_MS overrides). */
export const LANGSMITH_TIMEOUT_MS = 10_000;

/**
 * The LangSmith client of one upload, and how it stopped when it did. The first refusal (any
 * status from 400 on), a failed connection or a request unanswered for LANGSMITH_TIMEOUT_MS ends it: `stopped` settles with the
 * reason, every request in flight is aborted and every later one fails at once, unretried, so the client's
 * own retries (minutes of backoff) cannot hold a command at exit.
 */
export interface LangSmithConnection {
  client: Client;
  endpoint: string;
  stopped: Promise<string>;
}

/** Where the client sends: LANGSMITH_ENDPOINT (or LANGCHAIN_ENDPOINT), else LangSmith's cloud. */
export function langSmithEndpoint(env: NodeJS.ProcessEnv): string {
  return (env.LANGSMITH_ENDPOINT || env.LANGCHAIN_ENDPOINT || "https://api.smith.langchain.com").replace(
    /\/+$/,
    "",
  );
}

/**
 * The `langsmith` package, an optional peer dependency that only the LangSmith commands load (it
 * is also what @langchain/core traces with, hence one copy); when it is missing, a one-line
 * TpoConfigError says how to install it.
 */
export async function loadLangSmith(load: ImportModule = importModule): Promise<typeof import("langsmith")> {
  try {
    return (await load(LANGSMITH_PACKAGE)) as typeof import("langsmith");
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new TpoConfigError(
      `uploading to LangSmith needs the package ${LANGSMITH_PACKAGE}, an optional dependency of langgraph-tpo ` +
        `that is not installed: run \`npm install ${LANGSMITH_PACKAGE}\` (${firstLineOf(error)}).`,
      { cause: error },
    );
  }
}

function timeoutOf(env: NodeJS.ProcessEnv): number {
  const value = Number(env.TPO_LANGSMITH_TIMEOUT_MS);
  return env.TPO_LANGSMITH_TIMEOUT_MS?.trim() && Number.isFinite(value) && value > 0
    ? value
    : LANGSMITH_TIMEOUT_MS;
}

/** Why a request failed, in a few words: "connection refused", "no answer within 10 s". */
function failureOf(error: unknown, timeoutMs: number): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code) return `unreachable (${cause.code})`;
  if ((error as Error).name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  return firstLineOf(error);
}

/** Opens a client on the endpoint, key and workspace of `env` (LANGSMITH_ENDPOINT, LANGSMITH_API_KEY, LANGSMITH_WORKSPACE_ID). */
export async function openLangSmith(
  env: NodeJS.ProcessEnv,
  load: ImportModule = importModule,
): Promise<LangSmithConnection> {
  const { Client } = await loadLangSmith(load);
  const endpoint = langSmithEndpoint(env);
  const timeoutMs = timeoutOf(env);
  const abort = new AbortController();
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => {
    stop = (reason) => {
      if (abort.signal.aborted) return;
      why = reason;
      abort.abort(new TpoLangSmithError(reason));
      resolve(reason);
    };
  });
  let why = "";
  const fetchImplementation: typeof fetch = async (input, init) => {
    if (abort.signal.aborted) return notRetriedResponse(why);
    // A timer of our own, not AbortSignal.timeout: Node 20 may collect a timeout signal that only
    // AbortSignal.any refers to, and then it never fires (a request unanswered for good).
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal: AbortSignal.any([timeout.signal, abort.signal]) });
    } catch (error) {
      stop(failureOf(error, timeoutMs));
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 400) stop(`answered ${response.status} ${response.statusText}`.trim());
    return response;
  };
  const config: ClientConfig = {
    apiUrl: endpoint,
    apiKey: env.LANGSMITH_API_KEY || env.LANGCHAIN_API_KEY || undefined,
    workspaceId: env.LANGSMITH_WORKSPACE_ID || undefined,
    // Every call is awaited and its failure seen here, not queued in the background.
    autoBatchTracing: false,
    timeout_ms: timeoutMs,
    fetchImplementation,
  };
  return { client: new Client(config), endpoint, stopped };
}

/**
 * Runs `work` on a connection until it ends or the connection stops, whichever comes first: a
 * refusal or a silence throws a TpoLangSmithError at once, without waiting for the client's retries.
 */
export async function untilStopped<T>(connection: LangSmithConnection, work: Promise<T>): Promise<T> {
  work.catch(() => {}); // a request that the stop aborted rejects after the race is over
  const stop = connection.stopped.then((reason): never => {
    throw new TpoLangSmithError(reason);
  });
  stop.catch(() => {});
  return Promise.race([work, stop]);
}
