/**
 * One memory measurement in a fresh client process, so that its peak RSS and heap belong to this
 * run alone: K queries in flight against the sim server, sampling RSS and the live heap (after a
 * full GC) until they end. Forked by measures.ts; answers over IPC.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createBenchGraph, runPool, textCharsOf } from "./client.js";

export interface MemoryJob {
  url: string;
  prompts: string[];
  depth: number;
  width: number;
  concurrency: number;
}

export interface MemorySample {
  baseRss: number;
  baseHeap: number;
  peakRss: number;
  peakHeap: number;
  /** The process's own peak resident set, from the kernel (bytes). */
  maxRss: number;
  textChars: number;
  gcExposed: boolean;
}

declare const gc: (() => void) | undefined;
const collect = () => (typeof gc === "function" ? gc() : undefined);

async function measure(job: MemoryJob): Promise<MemorySample> {
  const graph = createBenchGraph(job.url, "tei");
  const queries = Array.from({ length: job.concurrency }, (_, i) => job.prompts[i % job.prompts.length]);
  // One query first, so that modules are loaded and compiled before the baseline.
  await runPool(graph, queries.slice(0, 1), 1, () => ({ width: job.width, depth: job.depth }));
  collect();
  const baseRss = process.memoryUsage.rss();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakRss = baseRss;
  let peakHeap = baseHeap;
  let running = true;
  const sampler = (async () => {
    while (running) {
      collect();
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      await sleep(20);
    }
  })();
  const { states } = await runPool(graph, queries, job.concurrency, () => ({
    width: job.width,
    depth: job.depth,
  })).finally(() => {
    running = false;
  });
  await sampler;
  return {
    baseRss,
    baseHeap,
    peakRss,
    peakHeap,
    maxRss: process.resourceUsage().maxRSS * 1024,
    textChars: states.reduce((sum, s) => sum + textCharsOf(s), 0) / states.length,
    gcExposed: typeof gc === "function",
  };
}

if (!process.send) throw new Error("bench/memory-process.ts runs as a forked child of the bench.");
process.once("message", (job: MemoryJob) => {
  measure(job).then(
    (sample) => process.send?.({ ok: true, sample }, () => process.exit(0)),
    (error: unknown) => process.send?.({ ok: false, error: String(error) }, () => process.exit(1)),
  );
});
process.on("disconnect", () => process.exit(0));
