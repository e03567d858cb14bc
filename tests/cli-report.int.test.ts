import { samplePromptsPath } from "./helpers/records.js";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
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
    expect(html.match(/<polyline class="series"/g)).toHaveLength(6);
    expect(html).toContain('id="simulated"');
    expect(html).toMatch(/<table id="scores">/);
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
