import {
  CLI_TARGETS,
  type measureBatch,
  type measureColdQuery,
  type measureStartup,
} from "./cli-measures.js";
import type { BenchResults } from "./report.js";
import type { Spread } from "./stats.js";

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

export interface CliMeasures {
  startup?: Result<typeof measureStartup>;
  coldQuery?: Result<typeof measureColdQuery>;
  batch?: Result<typeof measureBatch>;
}

const verdict = (met: boolean) => (met ? "met" : "**missed**");
const range = (s: Spread, digits: number) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

/** The summary rows of issue 12's targets. */
export function cliHeadline(results: BenchResults) {
  const m = results.measures;
  const rows: { measure: string; figure: string; target: string; verdict: string }[] = [];
  for (const r of m.startup?.rows ?? []) {
    rows.push({
      measure: `\`${r.command}\` (wall ÷ bare \`node -e ""\`, median of ${r.wallMs.runs})`,
      figure: `${r.ratio.toFixed(2)} (${r.wallMs.median.toFixed(0)} ms)`,
      target: `≤ ${r.target}`,
      verdict: verdict(r.met),
    });
  }
  if (m.coldQuery) {
    const c = m.coldQuery;
    rows.push({
      measure: `Cold \`tpo run\` D${c.depth}-N${c.width}, pooling reward, L = ${c.latencyMs} ms (first request to last reply ÷ critical path)`,
      figure: c.ratio.median.toFixed(3),
      target: `≤ ${c.target}`,
      verdict: verdict(c.met),
    });
    const t = c.tracingUnreachable;
    rows.push({
      measure: "`tpo run` with tracing on and LangSmith unreachable (extra wall time, lines on stderr)",
      figure: `+${t.extraS.toFixed(1)} s, ${t.stderrLines.length} line(s)`,
      target: `≤ ${t.target} s, one warning`,
      verdict: verdict(t.met),
    });
  }
  if (m.batch) {
    const b = m.batch;
    rows.push({
      measure: `\`tpo batch\` of ${b.queries} prompts, D${b.depth}-N${b.width}, pooling, concurrency ${b.concurrency}, L = ${b.latencyMs} ms (wall ÷ ${b.idealMs / 1000} s)`,
      figure: `${b.ratio.median.toFixed(3)} (user CPU ${(b.userCpuMs.median / 1000).toFixed(1)} s)`,
      target: `≤ ${b.target}`,
      verdict: verdict(b.met),
    });
    rows.push({
      measure: `Client CPU per D${b.depth}-N${b.width} query in that batch (user + system ÷ queries, start-up included; beyond start-up)`,
      figure:
        `${b.cpuPerQueryMs.median.toFixed(1)} ms` +
        (b.cpuPerQueryBeyondStartupMs ? ` (${b.cpuPerQueryBeyondStartupMs.median.toFixed(1)} ms)` : ""),
      target: `≤ ${b.cpuTarget} ms`,
      verdict: verdict(b.cpuMet),
    });
  }
  const c128 = m.throughput?.find((r) => r.concurrency === 128);
  if (c128) {
    rows.push({
      measure: "Throughput at concurrency 128, issue 12's target (wall ÷ ideal, section 3)",
      figure: c128.ratio.median.toFixed(3),
      target: `≤ ${CLI_TARGETS.throughput128}`,
      verdict: verdict(c128.ratio.median <= CLI_TARGETS.throughput128),
    });
  }
  return rows;
}

/** Section 7: the CLI measures in full. */
export function renderCli(results: BenchResults): string | null {
  const m = results.measures;
  if (!m.startup && !m.coldQuery && !m.batch) return null;
  const parts = [
    "## 9. The CLI as a user meets it",
    "",
    "`tpo` in a fresh process for every run (the built CLI in `dist/`, as installed; the bench builds it first), " +
      "against the simulated server in its own process as policy (`TPO_BACKEND=openai`) and vLLM pooling reward model. " +
      "The client's CPU and peak RSS are the child's own, reported at its exit (`bench/cpu-report.mjs`).",
    "",
  ];
  if (m.startup) {
    const s = m.startup;
    parts.push(
      `**Start-up** (${s.via}; bare \`node -e ""\`: ${range(s.bareNodeMs, 0)} ms, median (min–max) of ${s.bareNodeMs.runs}):`,
      "",
      "| command | wall ms | ÷ bare node | target |  |",
      "| --- | --- | --- | --- | --- |",
      ...s.rows.map(
        (r) =>
          `| \`${r.command}\` | ${range(r.wallMs, 0)} | ${r.ratio.toFixed(2)} | ≤ ${r.target} | ${verdict(r.met)} |`,
      ),
      "",
    );
  }
  if (m.coldQuery) {
    const c = m.coldQuery;
    const paths = Object.entries(c.requestsByPath)
      .map(([p, n]) => `${n} × ${p}`)
      .join(", ");
    parts.push(
      `**One cold query**: \`tpo run\` D${c.depth}-N${c.width}, L = ${c.latencyMs} ms, ${c.processWallMs.runs} fresh processes. ` +
        `From the server's log: first request's arrival to last reply, ÷ the critical path of ${c.criticalPathMs} ms. ` +
        `Requests per query: ${c.requests} (${paths}).`,
      "",
      "| ratio | process wall ms (start-up and exit included) | client CPU ms | target |  |",
      "| --- | --- | --- | --- | --- |",
      `| ${range(c.ratio, 3)} | ${range(c.processWallMs, 0)} | ${range(c.clientCpuMs, 0)} | ≤ ${c.target} | ${verdict(c.met)} |`,
      "",
      `With \`LANGSMITH_TRACING=true\` and \`LANGSMITH_ENDPOINT=${c.tracingUnreachable.endpoint}\` (a closed port): ` +
        `${(c.tracingUnreachable.wallMs / 1000).toFixed(1)} s of wall, ${c.tracingUnreachable.extraS.toFixed(1)} s more than the median without tracing; stderr: ` +
        (c.tracingUnreachable.stderrLines.map((l) => `\`${l}\``).join(" ") || "nothing") +
        ".",
      "",
    );
  }
  if (m.batch) {
    const b = m.batch;
    parts.push(
      `**The data set**: \`tpo batch\` of ${b.queries} prompts, D${b.depth}-N${b.width}, concurrency ${b.concurrency}, L = ${b.latencyMs} ms, ` +
        `${b.wallMs.runs} runs. Ideal: ${b.idealMs} ms (${Math.ceil(b.queries / b.concurrency)} waves of one query's critical path). ` +
        `${b.requestsPerQuery} requests per query.`,
      "",
      "| wall ms | ÷ ideal | server span ms | user CPU ms | system CPU ms | CPU per query ms | peak RSS MB |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      `| ${range(b.wallMs, 0)} | ${range(b.ratio, 3)} | ${range(b.serverSpanMs, 0)} | ${range(b.userCpuMs, 0)} | ${range(b.systemCpuMs, 0)} | ${range(b.cpuPerQueryMs, 1)} | ${b.maxRssMb} |`,
      "",
      ...(b.startupCpuMs === undefined
        ? []
        : [
            `The same command on an empty data set (loading the modules, starting, exiting) takes ${b.startupCpuMs.toFixed(0)} ms of CPU; ` +
              `beyond it, each query costs ${range(b.cpuPerQueryBeyondStartupMs, 1)} ms. The target is judged on the figure with start-up included, as the issue measured it.`,
            "",
          ]),
    );
  }
  return parts.join("\n");
}
