import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import type { Judgment } from "../src/eval/compare/judgment.js";
import { closeBrowser, haveChromium, NO_CHROMIUM, watchedPage, type PageWatch } from "./helpers/browser.js";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { readRecords, samplePromptsPath } from "./helpers/records.js";

// One small batch for every test: each copies it into its own folder.
let batchDir = "";
beforeAll(async () => {
  batchDir = mkdtempSync(join(tmpdir(), "tpo-report-pages-"));
  const out = join(batchDir, "results.jsonl");
  const batch = await runCliInProcess([
    "batch",
    samplePromptsPath(),
    "--out",
    out,
    "--limit",
    "3",
    "--modes",
    "bon,tpo",
    "--depth",
    "2",
    "--quiet",
  ]);
  expect(batch.code).toBe(0);
});
afterEach(() => {
  killChildren();
  removeTempDirs();
});
afterAll(async () => {
  await closeBrowser();
  rmSync(batchDir, { recursive: true, force: true });
});

const browserIt = (name: string) => (haveChromium ? name : `${name} — ${NO_CHROMIUM}`);

function smallBatch(dir: string): string {
  const out = join(dir, "results.jsonl");
  copyFileSync(join(batchDir, "results.jsonl"), out);
  return out;
}

async function report(results: string, extra: string[] = []): Promise<string> {
  const html = join(results, "..", "report.html");
  const done = await runCliInProcess(["report", results, "--out", html, ...extra]);
  expect(done.stderr).toBe("");
  expect(done.code).toBe(0);
  return html;
}

async function open(html: string, hash = ""): Promise<{ page: Page; watch: PageWatch }> {
  const opened = await watchedPage();
  await opened.page.goto(`file://${html}${hash}`);
  await opened.page.waitForSelector("body[data-ready]");
  return opened;
}

async function expectQuiet(watch: PageWatch): Promise<void> {
  expect(watch.consoleErrors).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.dialogs).toEqual([]);
  expect(watch.blockedRequests).toEqual([]);
  expect(await watch.violations()).toEqual([]);
}

/** A score as the page shows it: kept to four decimals, shown with two. */
const shown = (score: number) => (Math.round(score * 1e4) / 1e4).toFixed(2);

const cellTexts = (page: Page, column: number) =>
  page.$$eval(`#queries-table tbody tr td:nth-child(${column})`, (cells) =>
    cells.map((c) => c.textContent ?? ""),
  );

describe("tpo report: every query's story", () => {
  it.skipIf(!haveChromium)(
    browserIt(
      "lists every query, and a click opens its iterations: candidates, critique, suggestions, diff, answer",
    ),
    async () => {
      const results = smallBatch(tempDir());
      const records = readRecords(results);
      const { page, watch } = await open(await report(results));

      expect(await cellTexts(page, 1)).toEqual(records.map((r) => r.id));
      expect(await cellTexts(page, 3)).toEqual(records.map((r) => r.mode));

      const index = records.findIndex((r) => r.mode === "tpo");
      const record = records[index] as Required<BatchRecord>;
      await page.click(`#queries-table tbody tr:nth-child(${index + 1}) td:nth-child(3)`);
      await page.waitForSelector(`#query-page[data-query="${index}"]`);
      expect(await page.isHidden("#overview")).toBe(true);
      expect(await page.textContent("#query-title")).toBe(`Query ${record.id} · tpo`);

      // Every iteration, every candidate of the pool at the iteration that wrote it, with its score.
      const iterations = await page.$$eval(".iteration", (sections) =>
        sections.map((s) => ({
          iteration: Number(s.getAttribute("data-iteration")),
          candidates: [...s.querySelectorAll(".new .candidate")].map((c) => c.getAttribute("data-id")),
          critique: s.querySelector(".critique .text")?.textContent ?? null,
          gradient: s.querySelector(".gradient .text")?.textContent ?? null,
          chosen: s.querySelector(".pair .candidate:has(.badge.chosen)")?.getAttribute("data-id") ?? null,
          rejected: s.querySelector(".pair .candidate:has(.badge.rejected)")?.getAttribute("data-id") ?? null,
          diff: s.querySelector(".new-best .diff") !== null,
        })),
      );
      expect(iterations.map((i) => i.iteration)).toEqual(record.history.map((h) => h.iteration));
      for (const [k, it] of iterations.entries()) {
        const h = record.history[k];
        const written = record.pool.filter((c) => c.iteration === h.iteration).map((c) => c.id);
        expect([...it.candidates].sort()).toEqual([...written].sort());
        if (h.iteration === 0) continue;
        expect(it.critique).toBe(h.critique);
        expect(it.gradient).toBe(h.gradient);
        expect(it.chosen).toBe(h.chosen!.id);
        expect(it.rejected).toBe(h.rejected?.id ?? null);
      }
      // The sim's rewrites beat the first samples: at least one iteration has a new best and its diff.
      expect(iterations.some((i) => i.diff)).toBe(true);
      const scores = await page.$$eval('.iteration[data-iteration="0"] .new .candidate .score', (s) =>
        s.map((e) => e.textContent),
      );
      expect(scores.sort()).toEqual(
        record.pool
          .filter((c) => c.iteration === 0)
          .map((c) => shown(c.score!))
          .sort(),
      );
      expect(await page.textContent(".final-answer .text")).toBe(record.best.text);
      expect(await page.isVisible(".reward-chart")).toBe(true);

      await page.click("#back");
      await page.waitForSelector("#overview:not([hidden])");
      expect(await page.isHidden("#query-page")).toBe(true);
      await expectQuiet(watch);
    },
  );

  it.skipIf(!haveChromium)(browserIt("sorts by a column, both ways, and searches by text"), async () => {
    const results = smallBatch(tempDir());
    const records = readRecords(results);
    const { page, watch } = await open(await report(results));
    const best = records.map((r) => shown(r.best!.score));
    const numbers = (texts: string[]) => texts.map(Number);

    await page.click('th button[data-key="best"]');
    expect(numbers(await cellTexts(page, 5))).toEqual(numbers(best).sort((a, b) => b - a));
    expect(await page.getAttribute('th:has(button[data-key="best"])', "aria-sort")).toBe("descending");
    await page.click('th button[data-key="best"]');
    expect(numbers(await cellTexts(page, 5))).toEqual(numbers(best).sort((a, b) => a - b));

    await page.click('th button[data-key="mode"]');
    const modes = await cellTexts(page, 3);
    expect(modes).toEqual([...modes].sort());

    const target = records[0].query!;
    const word = target
      .split(/\s+/)
      .find((w) => w.length > 6)!
      .toLowerCase();
    await page.fill("#query-search", word);
    const ids = await cellTexts(page, 1);
    const expected = records.filter((r) => r.query!.toLowerCase().includes(word)).map((r) => r.id);
    expect(ids.sort()).toEqual(expected.sort());
    expect(ids.length).toBeLessThan(records.length);
    await page.fill("#query-search", "no query has this text");
    expect(await cellTexts(page, 1)).toEqual([]);
    expect(await page.textContent("#query-count")).toBe(`0 of ${records.length} query results match`);

    // The row's link opens the page of the query in that row, whatever the sort.
    await page.fill("#query-search", "");
    await page.click('th button[data-key="id"]');
    const firstId = (await cellTexts(page, 1))[0];
    await page.click("#queries-table tbody tr:first-child td:first-child a");
    await page.waitForSelector("#query-page[data-query]");
    expect(await page.textContent("#query-title")).toContain(`Query ${firstId}`);
    await expectQuiet(watch);
  });

  // How fast it opens is a benchmark (npm run bench -- --only reportPage); this checks that it works.
  it.skipIf(!haveChromium)(
    browserIt("opens a batch of 10,000 records: pages through them, sorts them, and opens the last one"),
    async () => {
      const dir = tempDir();
      const records = readRecords(smallBatch(dir));
      const results = join(dir, "large.jsonl");
      const lines: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        const record = records[i % records.length];
        lines.push(JSON.stringify({ ...record, id: `q${String(i).padStart(5, "0")}` }));
      }
      writeFileSync(results, `${lines.join("\n")}\n`);
      const { page, watch } = await open(await report(results));

      expect(await page.textContent("#query-count")).toBe("10,000 query results");
      expect(await page.textContent("#page-label")).toBe("page 1 of 200");
      expect(await cellTexts(page, 1)).toHaveLength(50);
      await page.click('th button[data-key="id"]');
      await page.click('th button[data-key="id"]');
      expect((await cellTexts(page, 1))[0]).toBe("q09999");
      await page.click("#queries-table tbody tr:first-child td:first-child a");
      await page.waitForSelector('#query-page[data-query="9999"]');
      const last = records[9_999 % records.length];
      expect(await page.textContent("#query-title")).toBe(`Query q09999 · ${last.mode}`);
      expect(await page.locator(".iteration").count()).toBe(last.history!.length);
      await expectQuiet(watch);
    },
    120_000,
  );
});

// Script that would show itself by renaming the page, raising a dialog or setting a global.
const PAYLOADS = [
  `</script><script>document.title="pwned";alert(1)</script>`,
  `<img src=x onerror="document.title='pwned';alert(2)">`,
  `"><svg onload="document.title='pwned';alert(3)">`,
  "${document.title='pwned'} {{constructor.constructor('alert(4)')()}} <%= 7*7 %> {{7*7}}",
];
const ALL = PAYLOADS.join(" ");

/**
 * A real record, and a failed one, with hostile text in every free-text field a page shows. Fields
 * with a fixed set of values (mode, stop reason, width) are checked when the file is read, and a
 * record with hostile text there is left out with a line naming it (tests/cli-files-hardening.int.test.ts).
 */
function hostileRecords(record: Required<BatchRecord>): BatchRecord[] {
  const pool = record.pool.map((c, i) => ({ ...c, text: `${PAYLOADS[i % 4]} candidate ${i}` }));
  const best = pool.reduce((x, y) => ((y.score ?? -1) > (x.score ?? -1) ? y : x));
  const crafted = {
    ...record,
    id: `${PAYLOADS[1]}id`,
    query: ALL,
    messages: [{ role: PAYLOADS[0] as "user", content: ALL }],
    settings: { ...record.settings, systemPrompt: PAYLOADS[2] },
    models: { policy: PAYLOADS[0] },
    pool,
    best: { ...record.best, text: best.text },
    history: record.history.map((h) => ({
      ...h,
      critique: h.iteration > 0 ? `critique ${ALL}` : null,
      gradient: h.iteration > 0 ? `gradient ${ALL}` : null,
      sampling: PAYLOADS[3],
    })),
  };
  const failed: BatchRecord = {
    id: PAYLOADS[3],
    mode: "tpo",
    query: ALL,
    error: { message: `error ${ALL}`, step: PAYLOADS[1] },
    elapsedMs: 1,
    finishedAt: new Date().toISOString(),
  };
  return [crafted as BatchRecord, failed];
}

function hostileJudgment(id: string): Judgment {
  const game = (shownFirst: "a" | "b") => ({
    shownFirst,
    verdict: "A" as const,
    winner: shownFirst,
    rationale: `rationale ${ALL}`,
  });
  return {
    id,
    a: PAYLOADS[1],
    b: PAYLOADS[2],
    outcome: "tie",
    games: [game("a"), game("b")],
    lengths: { a: 10, b: 12 },
    answers: { a: "x", b: "y" },
    judgeRequests: 2,
    judge: { model: PAYLOADS[3], baseUrl: PAYLOADS[1] },
    finishedAt: new Date().toISOString(),
  };
}

async function expectInert(page: Page, watch: PageWatch): Promise<void> {
  expect(await page.title()).not.toBe("pwned");
  expect(await page.evaluate('document.querySelectorAll("img, [onerror], [onload], iframe").length')).toBe(0);
  expect(watch.dialogs).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.blockedRequests).toEqual([]);
}

describe("tpo report: the queries table", () => {
  it.skipIf(!haveChromium)(
    browserIt("fits the page at 1400 and 1000 px: the query column shortens, nothing is cut off"),
    async () => {
      const html = await report(smallBatch(tempDir()));
      for (const width of [1400, 1000]) {
        const { page } = await watchedPage([], { width, height: 900 });
        await page.goto(`file://${html}`);
        await page.waitForSelector("body[data-ready]");
        const fit = await page.$eval(".table-scroll", (scroller) => ({
          table: scroller.scrollWidth,
          shown: scroller.clientWidth,
        }));
        expect(fit.table, `at ${width} px`).toBeLessThanOrEqual(fit.shown);
        await page.context().close();
      }
    },
  );
});

describe("tpo report: hostile text from files, models and judges is inert (issue 22; issue 24, item 2)", () => {
  it("writes no markup from the data into the page, and a policy that runs only the page's own script", async () => {
    const dir = tempDir();
    const results = smallBatch(dir);
    const record = readRecords(results).find((r) => r.mode === "tpo") as Required<BatchRecord>;
    writeFileSync(
      results,
      hostileRecords(record)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    );
    const compare = join(dir, "compare.jsonl");
    writeFileSync(compare, `${JSON.stringify(hostileJudgment(`${PAYLOADS[1]}id`))}\n`);
    const html = readFileSync(await report(results, ["--compare", compare]), "utf8");

    for (const raw of ["<img", "<svg onload", "<script>document", 'onerror="', 'onload="']) {
      expect(html.includes(raw), raw).toBe(false);
    }
    // Our three blocks (the rows' JSON, the script, the compressed stories), nothing else.
    expect(html.match(/<script/g)).toHaveLength(3);
    const attribute = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
    const policy = attribute.replaceAll("&#39;", "'");
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    // The summary tables show the crafted names of the compared runs and of the judge as text.
    expect(html).toContain("&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;;alert(2)&quot;&gt;");
  });

  it.skipIf(!haveChromium)(
    browserIt(
      "shows ids, queries, conversations, settings, answers, critiques, rationales and judges as text, with or without the policy",
    ),
    async () => {
      const dir = tempDir();
      const results = smallBatch(dir);
      const record = readRecords(results).find((r) => r.mode === "tpo") as Required<BatchRecord>;
      writeFileSync(
        results,
        hostileRecords(record)
          .map((r) => `${JSON.stringify(r)}\n`)
          .join(""),
      );
      const compare = join(dir, "compare.jsonl");
      writeFileSync(compare, `${JSON.stringify(hostileJudgment(`${PAYLOADS[1]}id`))}\n`);
      const path = await report(results, ["--compare", compare]);
      // The same page without its Content-Security-Policy: the text must be inert by itself.
      const bare = join(dir, "bare.html");
      writeFileSync(
        bare,
        readFileSync(path, "utf8").replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ""),
      );

      for (const [html, withPolicy] of [
        [path, true],
        [bare, false],
      ] as const) {
        const { page, watch } = await open(html);
        await expectInert(page, watch);
        expect(await page.textContent("#compare")).toContain(PAYLOADS[1]);
        expect(await page.textContent("#judges")).toContain(PAYLOADS[3]);
        expect(await cellTexts(page, 1)).toEqual([`${PAYLOADS[1]}id`, PAYLOADS[3]]);
        expect((await cellTexts(page, 3))[0]).toBe("tpo");

        await page.fill("#query-search", "{{7*7}}");
        expect(await cellTexts(page, 1)).toHaveLength(2);
        await page.click("#queries-table tbody tr:first-child td:nth-child(3)");
        await page.waitForSelector('#query-page[data-query="0"]');
        const text = (await page.textContent("#query-page")) ?? "";
        for (const payload of PAYLOADS) expect(text).toContain(payload);
        expect(text).toContain(`critique ${ALL}`);
        expect(text).toContain(`rationale ${ALL}`);
        // No template ran ({{7*7}} is not 49); a timing such as "149 ms" may hold 49 by chance.
        expect(text.replace(/\d[\d,]* ms/g, "")).not.toContain("49");
        await page.$$eval("details.candidate", (all) => all.forEach((d) => d.setAttribute("open", "")));
        await expectInert(page, watch);

        await page.goto(`file://${html}#q/1`);
        await page.waitForSelector('#query-page[data-query="1"]');
        expect(await page.textContent(".error")).toContain(`error ${ALL}`);
        await expectInert(page, watch);
        if (withPolicy) {
          expect(await watch.violations()).toEqual([]);
          expect(watch.consoleErrors).toEqual([]);
        }
        await page.context().close();
      }
    },
  );
});
