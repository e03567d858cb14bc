import { escapeControl } from "../../util/escape.js";
import type { BatchSummary } from "../../eval/batch/summary.js";
import { duration, formatNumber, formatUsd, table } from "../../util/number-format.js";

/**
 * The summary as text tables: scores per mode and iteration, then cost per query. Labels come from
 * the records' settings, so control characters in them are written as escapes.
 */
export function formatSummary(summary: BatchSummary): string {
  const scoreRows = summary.modes.flatMap((m) =>
    m.iterations.map((it) => [
      m.label,
      String(it.iteration),
      String(it.queries),
      formatNumber(it.meanBest),
      formatNumber(it.meanNew),
      formatNumber(it.meanLength, 0),
      formatNumber(it.meanTokens, 0),
    ]),
  );
  const priced = summary.costUsd !== null;
  const costRows = summary.modes.map((m) => [
    m.label,
    `${m.width ?? "-"}`,
    `${m.depth ?? "-"}`,
    String(m.queries),
    String(m.failed),
    formatNumber(m.meanFinalBest),
    formatNumber(m.requestsPerQuery, 1),
    formatNumber(m.untaggedPerQuery, 1),
    formatNumber(m.tokensPerQuery, 0),
    m.secondsPerQuery === null ? "-" : duration(m.secondsPerQuery * 1000),
    ...(priced ? [formatUsd(m.costPerQuery), formatUsd(m.costUsd)] : []),
  ]);
  const parts = [
    table(["mode", "iteration", "queries", "mean best", "mean new", "length", "tokens"], scoreRows),
    "length: characters of the best answer after the iteration; tokens: spent up to it (means over queries).",
    "",
    table(
      [
        "mode",
        "N",
        "D",
        "queries",
        "failed",
        "final best",
        "requests/q",
        "untagged/q",
        "tokens/q",
        "time/q",
        ...(priced ? ["usd/q", "usd"] : []),
      ],
      costRows,
    ),
  ];
  if (priced) parts.push("", `Cost: $${formatUsd(summary.costUsd)} in total, at the prices given.`);
  if (summary.servers.length > 0) {
    const serverRows = summary.servers.map((s) => [
      s.role,
      s.server,
      String(s.requests),
      String(s.failures),
      s.promptTokens > 0 ? formatNumber(s.cachedPromptTokens / s.promptTokens, 2) : "-",
    ]);
    parts.push("", table(["role", "server", "requests", "failures", "cached share"], serverRows));
  }
  const stopRows = summary.modes.flatMap((m) =>
    m.stops.map((s) => [m.mode, s.reason, String(s.queries), formatNumber(s.meanStoppedAt, 1)]),
  );
  if (stopRows.length > 0)
    parts.push("", table(["mode", "stopped by", "queries", "mean stopped at"], stopRows));
  if (summary.inputErrors > 0)
    parts.push("", `${summary.inputErrors} input lines could not be read (records with mode null).`);
  if (summary.backends.includes("sim")) {
    parts.push(
      "",
      "Simulated world: these numbers show the mechanics of TPO, not the behaviour of real models.",
    );
  }
  return escapeControl(parts.join("\n"));
}
