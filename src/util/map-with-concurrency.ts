import { defaultMaxListeners, setMaxListeners } from "node:events";

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the order of the
 * results. After the first failure no new call starts, the signal given to the calls in flight
 * aborts, and, once they have settled, the first error is thrown: nothing is left running and
 * no rejection goes unhandled.
 *
 * Each call gets a signal of its own, linked to the shared one only while it runs: listeners a
 * call leaves behind (LangGraph's `stream` never removes the one it adds) die with its signal
 * instead of piling up on a signal that lives as long as the whole map.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  if (signal?.aborted) stop();
  else signal?.addEventListener("abort", stop, { once: true });

  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  // One listener per call in flight is expected: only more than that is a leak worth a warning.
  setMaxListeners(workers + defaultMaxListeners, controller.signal);

  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      const call = new AbortController();
      const forward = () => call.abort(controller.signal.reason);
      if (controller.signal.aborted) forward();
      else controller.signal.addEventListener("abort", forward, { once: true });
      try {
        results[index] = await fn(items[index], index, call.signal);
      } catch (error) {
        if (!failed) {
          failed = true;
          firstError = error;
          controller.abort(error);
        }
      } finally {
        controller.signal.removeEventListener("abort", forward);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  if (failed) throw firstError;
  return results;
}
