/**
 * `npm run bench`: TPO against the simulated server (in a child process) with injected latency.
 * Writes bench/results.json and bench/RESULTS.md; `--quick` (or BENCH_SMOKE=1) runs a tiny
 * version and writes to a temporary folder (or --out) instead, leaving the recorded results alone.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { defaultSamplePromptsPath } from "../src/cli/paths.js";
import { buildCli, measureBatch, measureColdQuery, measureStartup } from "./cli-measures.js";
import { FULL_CONFIG, QUICK_CONFIG } from "./config.js";
import {
  measureGrowth,
  measureOrchestration,
  measureOverhead,
  measurePromptSize,
  measureRoundTrips,
  measureThroughput,
  type BenchEnv,
} from "./measures.js";
import { renderMarkdown, type BenchResults } from "./report.js";
import { measurePrefixCache, measureStopping } from "./compute.js";
import { measureMiddleware } from "./middleware.js";
import { measureEvalScoring } from "./eval-scoring.js";
import { measureCache } from "./cache.js";
import { measurePools } from "./pools.js";
import { measureReportPage } from "./report-page.js";
import { measureScaleout } from "./scaleout.js";
import { startServerProcess } from "./server-handle.js";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: process.env.BENCH_SMOKE === "1" },
    out: { type: "string" },
    prompts: { type: "string", default: defaultSamplePromptsPath() },
    only: { type: "string" },
    /** Re-renders RESULTS.md beside the given results.json (after editing bench/findings.md). */
    render: { type: "string" },
  },
});

function loadPrompts(path: string): string[] {
  let prompts: unknown;
  try {
    prompts = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `Cannot read the prompts at ${path} (give another file with --prompts): ${String(error)}`,
    );
  }
  if (!Array.isArray(prompts) || prompts.length === 0 || !prompts.every((p) => typeof p === "string")) {
    throw new Error(`${path} must be a non-empty JSON array of strings.`);
  }
  return prompts;
}

async function main(): Promise<void> {
  if (args.render) {
    const results = JSON.parse(readFileSync(args.render, "utf8")) as BenchResults;
    const mdPath = join(dirname(resolve(args.render)), "RESULTS.md");
    writeFileSync(mdPath, renderMarkdown(results));
    console.log(`Wrote ${mdPath}.`);
    return;
  }
  const config = args.quick ? QUICK_CONFIG : FULL_CONFIG;
  const outDir = args.out
    ? resolve(args.out)
    : args.quick
      ? mkdtempSync(join(tmpdir(), "tpo-bench-"))
      : BENCH_DIR;
  mkdirSync(outDir, { recursive: true });
  const only = args.only ? new Set(args.only.split(",")) : null;
  const wanted = (name: string) => !only || only.has(name);
  const prompts = loadPrompts(args.prompts);
  const log = (line: string) => console.log(line);
  log(`TPO benchmark${config.quick ? " (quick)" : ""} against the simulated server; results go to ${outDir}`);

  const server = await startServerProcess(0);
  try {
    const env: BenchEnv = { server, config, prompts, log };
    const started = Date.now();
    const results: BenchResults = {
      machine: {
        cpu: cpus()[0]?.model ?? "unknown",
        cores: cpus().length,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        date: new Date().toISOString(),
        load: loadavg().map((l) => Math.round(l * 100) / 100),
      },
      quick: config.quick,
      config,
      measures: {},
      durationS: 0,
    };
    // Orchestration first: its memory figures are cleanest before the longer runs.
    if (wanted("orchestration")) {
      log("4. orchestration cost");
      results.measures.orchestration = await measureOrchestration(env);
    }
    if (wanted("overhead")) {
      log("1. single-query overhead");
      results.measures.overhead = await measureOverhead(env);
    }
    if (wanted("roundTrips")) {
      log("2. round trips");
      results.measures.roundTrips = await measureRoundTrips(env);
    }
    if (wanted("growth")) {
      log("5. growth");
      results.measures.growth = await measureGrowth(env);
    }
    if (wanted("promptSize")) {
      log("6. prompt size");
      results.measures.promptSize = await measurePromptSize(env);
    }
    if (wanted("prefixCache")) {
      log("7. prefix cache: critic layouts");
      results.measures.prefixCache = await measurePrefixCache(env);
    }
    if (wanted("stopping")) {
      log("8. stopping rules");
      results.measures.stopping = await measureStopping(env);
    }
    if (wanted("throughput")) {
      log("3. data-set throughput");
      results.measures.throughput = await measureThroughput(env);
    }
    if (wanted("throughput128") && !wanted("throughput")) {
      log("3. data-set throughput at concurrency 128 only, after an untimed pass of the data set");
      const throughput = { ...config.throughput, concurrencies: [128], warmUpPasses: 1 };
      results.measures.throughput = await measureThroughput({ ...env, config: { ...config, throughput } });
    }
    if (wanted("pools")) {
      log("11. pools of servers with a capacity");
      results.measures.pools = await measurePools(env);
    }
    if (["startup", "coldQuery", "batch", "scaleout"].some(wanted)) buildCli(env);
    if (wanted("startup")) {
      log("9a. CLI start-up");
      results.measures.startup = await measureStartup(env);
    }
    if (wanted("coldQuery")) {
      log("9b. one cold query");
      results.measures.coldQuery = await measureColdQuery(env);
    }
    if (wanted("batch")) {
      log("9c. tpo batch of the data set");
      results.measures.batch = await measureBatch(env);
    }
    if (wanted("reportPage")) {
      log("10. tpo report's page of a large batch, in headless Chromium");
      results.measures.reportPage = await measureReportPage(env);
    }
    if (wanted("scaleout")) {
      log("12. the PostgreSQL job queue: tpo batch --queue with 1, 2 and 4 tpo worker processes");
      results.measures.scaleout = await measureScaleout(env);
    }
    if (wanted("middleware")) {
      log("13. tpoMiddleware in a createAgent run, beyond the TPO run itself");
      results.measures.middleware = await measureMiddleware(env);
    }
    if (wanted("evalScoring")) {
      log("14. leaderboard scoring (tpo eval score), in process");
      results.measures.evalScoring = measureEvalScoring();
    }
    if (wanted("cache")) {
      log("15. the persistent cache: a seeded re-run, and the cost of a miss");
      results.measures.cache = await measureCache(env);
    }
    results.machine.loadAfter = loadavg().map((l) => Math.round(l * 100) / 100);
    results.durationS = Math.round((Date.now() - started) / 1000);
    const jsonPath = join(outDir, "results.json");
    const mdPath = join(outDir, "RESULTS.md");
    // With --only, the other measures keep their recorded figures (of a run of the same kind, quick or full).
    const previous =
      only && existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, "utf8")) as BenchResults) : null;
    if (previous && previous.quick === results.quick) {
      results.partial = {
        rerun: Object.keys(results.measures),
        previousDate: previous.partial?.previousDate ?? previous.machine.date,
        previousMachine:
          previous.partial?.previousMachine ??
          `${previous.machine.cpu}, ${previous.machine.cores} cores, Node ${previous.machine.node}`,
      };
      // What the previous partial runs measured keeps its own date, unless this run re-measured it.
      const rerun = new Set(results.partial.rerun);
      const earlier = [
        ...(previous.partial ? [{ measures: previous.partial.rerun, date: previous.machine.date }] : []),
        ...(previous.partial?.earlier ?? []),
      ]
        .map((e) => ({ ...e, measures: e.measures.filter((m) => !rerun.has(m)) }))
        .filter((e) => e.measures.length > 0);
      if (earlier.length > 0) results.partial.earlier = earlier;
      const fresh = results.measures.throughput;
      if (fresh && !wanted("throughput") && previous.measures.throughput) {
        // throughput128 re-ran one concurrency: the recorded rows of the others stay.
        results.measures.throughput = [
          ...previous.measures.throughput.filter((r) => !fresh.some((f) => f.concurrency === r.concurrency)),
          ...fresh,
        ].sort((a, b) => a.concurrency - b.concurrency);
        results.partial.rerun = results.partial.rerun.map((name) =>
          name === "throughput" ? "throughput (concurrency 128)" : name,
        );
      }
      results.measures = { ...previous.measures, ...results.measures };
    }
    writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(mdPath, renderMarkdown(results));
    log(`Wrote ${jsonPath} and ${mdPath} in ${results.durationS} s.`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
