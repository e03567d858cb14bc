import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../src/util/map-with-concurrency.js";

describe("mapWithConcurrency", () => {
  it("keeps the order of the results when later calls finish first", async () => {
    const finished: number[] = [];
    const out = await mapWithConcurrency([3, 2, 1, 0], 4, async (x) => {
      await new Promise((resolve) => setTimeout(resolve, 10 * x));
      finished.push(x);
      return x * 10;
    });
    expect(finished).toEqual([0, 1, 2, 3]); // the last item finished first
    expect(out).toEqual([30, 20, 10, 0]);
  });

  it("aborts the calls in flight after the first failure and throws it", async () => {
    const aborted: number[] = [];
    const error = await mapWithConcurrency([0, 1, 2, 3], 2, (x, _i, signal) =>
      x === 0
        ? Promise.reject(new Error("first"))
        : new Promise<number>((_resolve, reject) =>
            signal.addEventListener("abort", () => {
              aborted.push(x);
              reject(new Error("aborted"));
            }),
          ),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe("first");
    expect(aborted).toEqual([1]);
  });

  it("starts nothing after a failure, and throws once the calls in flight have settled", async () => {
    const started: number[] = [];
    let release!: () => void;
    let settled = false;
    const pending = mapWithConcurrency([0, 1, 2, 3], 2, async (x) => {
      started.push(x);
      if (x === 0) throw new Error("first");
      // Deaf to the signal, as a batch query is: it runs to its end and records itself.
      await new Promise<void>((resolve) => (release = resolve));
      settled = true;
    }).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(((await pending) as Error).message).toBe("first");
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(true);
  });

  it("keeps K jobs in flight and starts the next as soon as one finishes, with no chunk barrier", async () => {
    const releases = new Map<number, () => void>();
    const started: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const pool = mapWithConcurrency([0, 1, 2, 3, 4], 2, async (job) => {
      started.push(job);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => releases.set(job, resolve));
      inFlight--;
    });
    const tick = () => new Promise((r) => setImmediate(r));
    await tick();
    expect(started).toEqual([0, 1]);
    // Job 0 is slow; jobs 1, 2, 3 finish one after the other while it runs.
    releases.get(1)!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    releases.get(2)!();
    await tick();
    releases.get(3)!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    releases.get(0)!();
    releases.get(4)!();
    await pool;
    expect(maxInFlight).toBe(2);
  });

  it("gives each call its own signal: listeners a call leaves behind neither pile up nor warn", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const outer = new AbortController();
    const signals = new Set<AbortSignal>();
    try {
      await mapWithConcurrency(
        Array.from({ length: 100 }, (_, i) => i),
        32,
        async (_x, _i, signal) => {
          signals.add(signal);
          signal.addEventListener("abort", () => {}); // never removed, as LangGraph's stream does
          await new Promise((resolve) => setTimeout(resolve, 1));
        },
        outer.signal,
      );
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(signals.size).toBe(100);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    expect(getEventListeners(outer.signal, "abort")).toHaveLength(0);
  });

  it("aborts every call's signal when the caller's signal aborts", async () => {
    const outer = new AbortController();
    const aborted: number[] = [];
    const pending = mapWithConcurrency(
      [0, 1, 2],
      3,
      (x, _i, signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => {
            aborted.push(x);
            resolve();
          }),
        ),
      outer.signal,
    );
    outer.abort(new Error("stop"));
    await pending;
    expect(aborted.sort()).toEqual([0, 1, 2]);
  });
});
