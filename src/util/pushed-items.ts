/** A producer's pushed items, pulled in order by one consumer, and what the producer settled to. */
export interface PushedItems<T, R> {
  /** Yields each pushed item in order; ends once the producer has settled and every item is out. */
  items: AsyncGenerator<T>;
  /** The producer's own promise. */
  done: Promise<R>;
}

/**
 * Turns a producer that pushes items through a callback into an async iterable: the one bridge from
 * push (a run's events, a run's iterations) to pull (`for await`). With `rethrow`, iteration ends by
 * throwing the producer's failure; without it, the failure reaches only those who await `done`.
 */
export function pushedItems<T, R>(
  produce: (push: (item: T) => void) => Promise<R>,
  { rethrow }: { rethrow: boolean },
): PushedItems<T, R> {
  const queue: T[] = [];
  let settled = false;
  let wake: (() => void) | undefined;
  const done = produce((item) => {
    queue.push(item);
    wake?.();
  });
  const settle = () => {
    settled = true;
    wake?.();
  };
  done.then(settle, settle);
  done.catch(() => {}); // handled by whoever awaits `done` or iterates
  async function* items(): AsyncGenerator<T> {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (settled) {
        if (rethrow) await done;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  return { items: items(), done };
}
