import type { BenchRewardKind } from "./client.js";

/** What each measure runs; the quick mode is a tiny version of the same shape. */
export interface BenchConfig {
  quick: boolean;
  overhead: {
    latenciesMs: number[];
    depth: number;
    width: number;
    repetitions: number;
    kinds: BenchRewardKind[];
  };
  roundTrips: {
    depths: number[];
    widths: number[];
    samplings: ("n" | "parallel")[];
    kinds: BenchRewardKind[];
  };
  throughput: {
    latencyMs: number;
    depth: number;
    width: number;
    concurrencies: number[];
    /** How many prompts of the data set; all of them when unset. */
    prompts?: number;
    repetitions: number;
    /**
     * Untimed passes of the data set (at concurrency 32) before the first timed one. The full
     * section needs none: its lower concurrencies run first. A run of concurrency 128 alone
     * (`--only throughput128`) takes one, so that it measures the same warm client.
     */
    warmUpPasses?: number;
  };
  orchestration: { depths: number[]; width: number; sequentialQueries: number; concurrency: number };
  growth: {
    latencyMs: number;
    depths: number[];
    widths: number[];
    baseDepth: number;
    baseWidth: number;
    repetitions: number;
  };
  promptSize: { depth: number; width: number };
  /** 7. Separate vs conversation critic layout against the simulated prefix cache. */
  prefixCache: { runs: { depth: number; width: number }[]; queries: number; answerChars: number };
  /** 8. Stopping rules against best-of-N in the simulated world. */
  stopping: { depth: number; width: number; queries: number; bonWidths: number[]; answerChars: number };
  /** 10. Pools of simulated servers with a capacity: throughput and prefix-cache hits per server count. */
  pools: {
    queries: number;
    concurrency: number;
    depth: number;
    width: number;
    criticLayout: "separate" | "conversation";
    /** Requests each server serves at once; the others wait in its queue. */
    maxInFlight: number;
    latency: { fixedMs: number; perTokenMs: number };
    /** Servers, and affinity on or off (round robin); the first run, one server, is the reference. */
    runs: { servers: number; affinity: boolean }[];
    /** Throughput relative to one server: the goal at each server count. */
    speedupTargets: Record<number, number>;
    /** With affinity, the critic's cached share relative to one server's: the goal. */
    shareTarget: number;
  };
  /** 12. The PostgreSQL job queue: `tpo batch --queue` with 1, 2, 4 `tpo worker` processes (issue 20). */
  scaleout: {
    queries: number;
    depth: number;
    width: number;
    /** Each request's latency at the simulated server (its only cost). */
    latencyMs: number;
    /** `--concurrency` of the plain batch and of each worker. */
    concurrency: number;
    workers: number[];
  };
  /** 13. What tpoMiddleware adds to a createAgent run beyond the TPO run (issue 33), in process. */
  middleware: { depth: number; width: number; rounds: number; warmUpRounds: number };
  /** 14. The persistent cache (issue 31): a seeded re-run, and the cost of a miss. */
  cache: { queries: number; depth: number; width: number; concurrency: number; missSamples: number };
}

export const FULL_CONFIG: BenchConfig = {
  quick: false,
  overhead: { latenciesMs: [50, 200], depth: 2, width: 5, repetitions: 7, kinds: ["tei", "vllm-pooling"] },
  roundTrips: {
    depths: [1, 2, 5],
    widths: [1, 5, 20],
    samplings: ["n", "parallel"],
    kinds: ["tei", "vllm-pooling"],
  },
  throughput: { latencyMs: 100, depth: 2, width: 5, concurrencies: [1, 8, 32, 128], repetitions: 3 },
  orchestration: { depths: [2, 10], width: 5, sequentialQueries: 30, concurrency: 128 },
  growth: {
    latencyMs: 50,
    depths: [1, 2, 3, 5, 10],
    widths: [1, 2, 5, 10, 20, 32],
    baseDepth: 2,
    baseWidth: 5,
    repetitions: 3,
  },
  promptSize: { depth: 2, width: 5 },
  prefixCache: {
    runs: [
      { depth: 2, width: 5 },
      { depth: 5, width: 5 },
    ],
    queries: 20,
    answerChars: 1500,
  },
  stopping: { depth: 5, width: 5, queries: 100, bonWidths: [5, 10, 20, 30, 45, 64], answerChars: 1500 },
  pools: {
    queries: 200,
    concurrency: 64,
    depth: 2,
    width: 5,
    criticLayout: "conversation",
    // Slow enough that four servers together stay below what one client thread sends on a busy
    // 2-core machine: then the servers, not the client, bound the throughput.
    maxInFlight: 2,
    latency: { fixedMs: 200, perTokenMs: 0.5 },
    runs: [
      { servers: 1, affinity: true },
      { servers: 2, affinity: true },
      { servers: 4, affinity: true },
      { servers: 4, affinity: false },
    ],
    speedupTargets: { 2: 1.8, 4: 3.4 },
    shareTarget: 0.9,
  },
  // D1 keeps a configuration near a minute on 2 busy cores: 200 ÷ 4 × 1.2 s of latency for one worker.
  scaleout: { queries: 200, depth: 1, width: 2, latencyMs: 200, concurrency: 4, workers: [1, 2, 4] },
  middleware: { depth: 2, width: 5, rounds: 30, warmUpRounds: 10 },
  cache: { queries: 100, depth: 2, width: 5, concurrency: 8, missSamples: 2000 },
};

export const QUICK_CONFIG: BenchConfig = {
  quick: true,
  overhead: { latenciesMs: [20], depth: 1, width: 2, repetitions: 2, kinds: ["tei", "vllm-pooling"] },
  roundTrips: { depths: [1], widths: [1, 2], samplings: ["n", "parallel"], kinds: ["tei", "vllm-pooling"] },
  throughput: { latencyMs: 10, depth: 1, width: 2, concurrencies: [1, 4], prompts: 6, repetitions: 1 },
  orchestration: { depths: [1, 2], width: 2, sequentialQueries: 3, concurrency: 4 },
  growth: { latencyMs: 10, depths: [1, 2], widths: [1, 2], baseDepth: 1, baseWidth: 2, repetitions: 1 },
  promptSize: { depth: 1, width: 2 },
  prefixCache: { runs: [{ depth: 1, width: 2 }], queries: 2, answerChars: 1500 },
  stopping: { depth: 2, width: 2, queries: 3, bonWidths: [2, 6], answerChars: 1500 },
  pools: {
    queries: 8,
    concurrency: 4,
    depth: 1,
    width: 2,
    criticLayout: "conversation",
    maxInFlight: 2,
    latency: { fixedMs: 5, perTokenMs: 0 },
    runs: [
      { servers: 1, affinity: true },
      { servers: 2, affinity: true },
      { servers: 2, affinity: false },
    ],
    speedupTargets: { 2: 1.8 },
    shareTarget: 0.9,
  },
  scaleout: { queries: 6, depth: 1, width: 2, latencyMs: 10, concurrency: 2, workers: [1, 2] },
  middleware: { depth: 1, width: 2, rounds: 2, warmUpRounds: 1 },
  cache: { queries: 4, depth: 1, width: 2, concurrency: 2, missSamples: 20 },
};
