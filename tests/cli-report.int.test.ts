import { readRecords, samplePromptsPath } from "./helpers/records.js";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BatchSummary } from "../src/eval/batch/summary.js";
import type { CostSeries } from "../src/eval/report/cost-curve.js";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const RENDER_TEST = haveChromium
  ? "renders in headless Chromium with a line and a label per mode"
  : `renders in headless Chromium — skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`;

afterEach(() => {
  killChildren();
  removeTempDirs();
});

function chromium(args: string[], dir: string): string {
  const result = spawnSync(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${join(dir, "chromium-profile")}`,
      ...args,
    ],
    { encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" },
  );
  if (result.status !== 0) throw new Error(`chromium exited ${result.status}: ${result.stderr.slice(-500)}`);
  return result.stdout;
}

async function batchAndReport(dir: string): Promise<string> {
  const out = join(dir, "results.jsonl");
  const batch = await runCliInProcess([
    "batch",
    samplePromptsPath(),
    "--out",
    out,
    "--limit",
    "12",
    "--modes",
    "bon,revision,tpo",
    "--quiet",
  ]);
  expect(batch.code).toBe(0);
  const html = join(dir, "report.html");
  const report = await runCliInProcess(["report", out, "--out", html]);
  expect(report.code).toBe(0);
  expect(report.stdout).toContain(`Wrote ${html}`);
  return html;
}

describe("tpo report", () => {
  it("writes one self-contained page with the charts and the summary", async () => {
    const html = readFileSync(await batchAndReport(tempDir()), "utf8");
    // Self-contained: no external script, style sheet, image or font (its own inline script only).
    expect(html).not.toMatch(/<script[^>]* src=|<link|src="http|href="http|@import|url\(/);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;');
    // Three modes on each chart: best reward and new candidates by iteration, best reward by cost.
    expect(html.match(/<polyline class="series"/g)).toHaveLength(9);
    expect(html).toContain('id="simulated"');
    expect(html).toMatch(/<table id="scores">/);
    expect(html).toContain('<svg id="chart-cost"');
    expect(html).toContain('id="cost-simulated"');
  });

  it("--json holds the summary with lengths and tokens per iteration, and the cost curve's points", async () => {
    const dir = tempDir();
    await batchAndReport(dir);
    const html = join(dir, "again.html");
    const report = await runCliInProcess(["report", join(dir, "results.jsonl"), "--out", html, "--json"]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).toContain(`Wrote ${html}`);
    const json = JSON.parse(report.stdout) as {
      summary: BatchSummary;
      costCurve: CostSeries[];
      comparisons: unknown[];
      leaderboard: unknown[];
    };
    expect(json.comparisons).toEqual([]);
    expect(json.leaderboard).toEqual([]);
    const tpo = json.summary.modes.find((m) => m.mode === "tpo")!;
    for (const it of tpo.iterations) {
      expect(it.meanLength).toBeGreaterThan(0);
      expect(it.meanTokens).toBeGreaterThan(0);
      expect(it.meanCostUsd).toBeNull(); // no prices given
    }
    expect(json.costCurve.map((s) => s.mode)).toEqual(["tpo", "revision", "bon"]);
    const curve = json.costCurve[0]!;
    expect(curve.points.map((p) => p.iteration)).toEqual(tpo.iterations.map((it) => it.iteration));
    expect(curve.points.map((p) => p.meanTokens)).toEqual(tpo.iterations.map((it) => it.meanTokens));
    const tokens = curve.points.map((p) => p.meanTokens);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    // best-of-N: prefixes of its samples at the other modes' spends, then all of them.
    const bonRecords = readRecords(join(dir, "results.jsonl")).filter((r) => r.mode === "bon");
    const drawn = bonRecords.map((r) => r.pool!.filter((c) => c.origin === "sample").length);
    const bon = json.costCurve[2]!.points;
    expect(bon.length).toBeGreaterThan(1);
    expect(bon.at(-1)!.samples).toBeCloseTo(drawn.reduce((s, n) => s + n, 0) / drawn.length, 9);
    expect(bon.at(-1)!.meanTokens).toBe(
      json.summary.modes.find((m) => m.mode === "bon")!.iterations[0]!.meanTokens,
    );
    for (const p of bon.slice(0, -1)) {
      expect(p.samples).toBeLessThan(bon.at(-1)!.samples!);
      expect(p.meanTokens).toBeLessThan(bon.at(-1)!.meanTokens);
    }
  });

  it.skipIf(!haveChromium)(RENDER_TEST, async () => {
    const dir = tempDir();
    const html = await batchAndReport(dir);
    const dom = chromium(["--dump-dom", `file://${html}`], dir);
    const chart = /<svg id="chart-best"[\s\S]*?<\/svg>/.exec(dom)?.[0] ?? "";
    for (const series of ["tpo", "revision", "bon (N=15)"]) {
      expect(chart).toContain(`<polyline class="series" data-series="${series}"`);
      expect(chart).toMatch(
        new RegExp(`<text class="series-label"[^>]*>${series.replace(/[()]/g, "\\$&")}</text>`),
      );
    }
    expect(chart).toContain(">mean best reward</text>");
    expect(chart).toContain(">iteration (0 = first samples)</text>");
    expect(dom).toContain("Simulated world: these numbers show the mechanics of TPO");
    expect(dom).toMatch(/<td>tpo<\/td><td>2<\/td><td>12<\/td>/);

    const png = join(dir, "report.png");
    chromium(["--hide-scrollbars", "--window-size=1000,1400", `--screenshot=${png}`, `file://${html}`], dir);
    expect(statSync(png).size).toBeGreaterThan(10_000);
  });
});
