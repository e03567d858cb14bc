import { connect } from "node:net";
import { langSmithEndpointOf } from "../compat/langsmith-endpoint.js";

/** How long the CLI waits at exit for LangSmith to take the traces (TPO_TRACE_FLUSH_MS overrides). */
export const TRACE_FLUSH_MS = 3000;

export type FlushOutcome = { sent: true } | { sent: false; endpoint: string; reason: string };

/** How long a flush of traces may take: TPO_TRACE_FLUSH_MS, else TRACE_FLUSH_MS. */
export function traceFlushBound(env: NodeJS.ProcessEnv): number {
  const value = Number(env.TPO_TRACE_FLUSH_MS);
  return env.TPO_TRACE_FLUSH_MS?.trim() && Number.isFinite(value) && value >= 0 ? value : TRACE_FLUSH_MS;
}

/** A flush with nothing pending takes a few milliseconds; only a slower one probes the endpoint. */
const PROBE_AFTER_MS = 250;

/**
 * Settles with a reason when nothing listens at the endpoint (refused, unknown host), probed once
 * after PROBE_AFTER_MS; never otherwise.
 */
function unreachable(endpoint: string): { reason: Promise<string>; stop: () => void } {
  let stopped = false;
  let stop = () => {
    stopped = true;
  };
  const reason = new Promise<string>((resolve) =>
    setTimeout(() => !stopped && probe(resolve), PROBE_AFTER_MS).unref(),
  );
  function probe(resolve: (reason: string) => void): void {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return resolve("the endpoint is not a URL");
    }
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port });
    socket.unref();
    stop = () => socket.destroy();
    socket.once("connect", () => socket.destroy());
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (
        ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"].includes(error.code ?? "")
      ) {
        resolve(error.code === "ECONNREFUSED" ? "connection refused" : `unreachable (${error.code})`);
      }
    });
  }
  return { reason, stop };
}

/**
 * Sends the pending LangSmith traces, within a bound: gives up at once when the endpoint refuses
 * connections, and after a few seconds otherwise. LangSmith's client retries for minutes and its
 * timers keep the process alive, so a caller told `sent: false` should exit.
 */
export async function flushTracesWithin(env: NodeJS.ProcessEnv): Promise<FlushOutcome> {
  const [{ awaitAllCallbacks }, { LangChainTracer }] = await Promise.all([
    import("@langchain/core/callbacks/promises"),
    import("@langchain/core/tracers/tracer_langchain"),
  ]);
  const endpoint = langSmithEndpointOf(new LangChainTracer()) ?? "the LangSmith endpoint";
  const bound = traceFlushBound(env);
  const probe = unreachable(endpoint);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    awaitAllCallbacks().then((): FlushOutcome => ({ sent: true })),
    probe.reason.then((reason): FlushOutcome => ({ sent: false, endpoint, reason })),
    new Promise<FlushOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ sent: false, endpoint, reason: `no answer within ${bound / 1000} s` }),
        bound,
      );
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  probe.stop();
  return outcome;
}
