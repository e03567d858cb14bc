import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { closeBrowser, haveChromium, NO_CHROMIUM, watchedPage, type PageWatch } from "./helpers/browser.js";
import { killChildren, startCli, waitUntil } from "./helpers/cli.js";
import { simServerEnv } from "./helpers/sim-http.js";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer();
});
afterEach(() => {
  killChildren();
  sim.setFaults([]);
  sim.setLatency({});
  sim.stats.reset();
});
afterAll(async () => {
  await closeBrowser();
  await sim.close();
});

const browserIt = (name: string) => (haveChromium ? name : `${name} — ${NO_CHROMIUM}`);
const CHAT = "/v1/chat/completions";

/** `tpo serve` against the simulated server over HTTP; resolves with its URL once it listens. */
async function serve(flags: string[], env: Record<string, string> = {}): Promise<string> {
  const child = startCli(["serve", "--port", "0", ...flags], {
    env: simServerEnv(sim, env),
    timeoutMs: 120_000,
  });
  let url = "";
  await waitUntil(
    () => {
      url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output())?.[1] ?? "";
      return url !== "" || child.child.exitCode !== null;
    },
    60_000,
    "tpo serve to listen",
  );
  if (!url) throw new Error(`tpo serve did not start:\n${child.output()}`);
  return url;
}

async function openPlayground(url: string): Promise<{ page: Page; watch: PageWatch }> {
  const opened = await watchedPage([url]);
  await opened.page.goto(`${url}/`);
  await opened.page.waitForSelector("body[data-ready]");
  return opened;
}

async function runPrompt(page: Page, prompt: string, settings: Record<string, string>): Promise<void> {
  await page.fill("#prompt", prompt);
  for (const [name, value] of Object.entries(settings)) {
    if (name === "mode") await page.selectOption(`#setting-${name}`, value);
    else await page.fill(`#setting-${name}`, value);
  }
  await page.click("#run");
}

const chatRequests = () => sim.stats.log.filter((r) => r.path === CHAT).length;

describe("tpo serve --ui: the playground", () => {
  it("is off unless --ui is given; with it, / is a page with a strict policy", async () => {
    const off = await serve([]);
    const missing = await fetch(`${off}/`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      "tpo serve --ui",
    );
    killChildren();

    const on = await serve(["--ui"]);
    const page = await fetch(`${on}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).toMatch(/script-src 'sha256-[^']+'(;|$)/);
    expect(policy).toMatch(/connect-src 'self'/);
    expect(policy).toMatch(/frame-ancestors 'none'/);
    expect(policy).not.toMatch(/unsafe/);
    expect(await page.text()).toContain("<title>TPO playground</title>");
    // Another site's page may still not call the API: only the server's own origin is accepted.
    const body = JSON.stringify({ messages: [{ role: "user", content: "hi" }], tpo: { width: 1, depth: 0 } });
    const post = (origin: string) =>
      fetch(`${on}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body,
      });
    expect((await post("http://evil.example")).status).toBe(403);
    expect((await post(on)).status).toBe(200);
  });

  it.skipIf(!haveChromium)(
    browserIt("runs a prompt: each iteration appears while the run goes on, then the answer and its cost"),
    async () => {
      sim.setLatency({ fixedMs: 150 });
      const url = await serve(["--ui"]);
      const { page, watch } = await openPlayground(url);
      expect(await page.isVisible("#token")).toBe(false); // no key set: no key asked for
      await runPrompt(page, "How do I take care of a wooden table?", { width: "2", depth: "2" });

      // Iteration 0 is drawn, complete, while the run is still going.
      await page.waitForSelector('.iteration[data-iteration="0"][data-recorded]');
      expect(await page.getAttribute("#run-view", "data-state")).toBe("running");
      await page.waitForSelector('#run-view[data-state="done"]', { timeout: 60_000 });

      const iterations = await page.$$eval(".iteration[data-recorded]", (all) =>
        all.map((s) => ({
          iteration: s.getAttribute("data-iteration"),
          candidates: s.querySelectorAll(".new .candidate").length,
          critique: s.querySelector(".critique .text")?.textContent ?? null,
          gradient: s.querySelector(".gradient .text")?.textContent ?? null,
        })),
      );
      expect(iterations.map((i) => i.iteration)).toEqual(["0", "1", "2"]);
      for (const it of iterations) expect(it.candidates).toBeGreaterThan(0);
      for (const it of iterations.slice(1)) {
        expect(it.critique).toBeTruthy();
        expect(it.gradient).toBeTruthy();
      }
      expect(await page.locator(".new-best .diff").count()).toBeGreaterThan(0);
      expect(((await page.textContent("#answer")) ?? "").length).toBeGreaterThan(20);
      expect(await page.textContent("#cost-requests")).toBe(String(chatRequests()));
      expect(Number((await page.textContent("#cost-tokens"))?.replace(/,/g, ""))).toBeGreaterThan(0);
      // The answer joins the conversation: the next run continues it.
      expect(await page.textContent(".conversation")).toContain("How do I take care of a wooden table?");
      // A new conversation starts from an empty page: no turns, and no chart or iterations of the last run.
      await page.click("#new-conversation");
      expect(await page.isHidden(".conversation")).toBe(true);
      expect(await page.locator("#output .iteration, #output svg, #run-view").count()).toBe(0);
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.blockedRequests).toEqual([]);
      expect(await watch.violations()).toEqual([]);
    },
  );

  it.skipIf(!haveChromium)(
    browserIt("Stop cancels the run: the simulated server gets no request afterwards"),
    async () => {
      sim.setLatency({ fixedMs: 500 });
      const url = await serve(["--ui"]);
      const { page, watch } = await openPlayground(url);
      await runPrompt(page, "Plan a week of dinners.", { width: "2", depth: "5" });
      await page.waitForSelector('.iteration[data-iteration="0"][data-recorded]');
      await page.click("#stop");
      await page.waitForSelector('#run-view[data-state="stopped"]');
      expect(await page.isDisabled("#stop")).toBe(true);
      expect(await page.isEnabled("#run")).toBe(true);
      // The abort reaches the server when the connection closes; from then on, nothing more upstream.
      await new Promise((r) => setTimeout(r, 700));
      const atStop = chatRequests();
      await new Promise((r) => setTimeout(r, 2_500));
      expect(chatRequests()).toBe(atStop);
      expect(atStop).toBeLessThan(1 + 5 * 3); // a whole D5 run makes 16 chat requests
      expect(await page.isHidden(".final-answer")).toBe(true);
      expect(watch.pageErrors).toEqual([]);
    },
  );

  it.skipIf(!haveChromium)(
    browserIt("with a key set, a run without it is refused, and with it runs"),
    async () => {
      const url = await serve(["--ui"], { TPO_SERVER_API_KEY: "playground-key" });
      const { page } = await openPlayground(url);
      expect(await page.isVisible("#token")).toBe(true);
      await runPrompt(page, "Name three rivers.", { width: "1", depth: "0" });
      await page.waitForSelector('#run-view[data-state="failed"]');
      expect(await page.textContent("#status")).toContain("401");
      expect(chatRequests()).toBe(0);

      await page.fill("#token", "wrong");
      await page.click("#run");
      await page.waitForSelector('#run-view[data-state="failed"]');
      expect(await page.textContent("#status")).toContain("Incorrect API key");

      await page.fill("#token", "playground-key");
      await page.click("#run");
      await page.waitForSelector('#run-view[data-state="done"]');
      expect(chatRequests()).toBeGreaterThan(0);
    },
  );

  it.skipIf(!haveChromium)(browserIt("shows hostile model output as text and runs none of it"), async () => {
    const payload =
      `</script><script>document.title="pwned"</script><img src=x onerror="document.title='pwned'">` +
      `"><svg onload="alert(1)"> {{constructor.constructor('alert(2)')()}} \${alert(3)}`;
    sim.setFaults([{ kind: "reply", content: payload }]);
    const url = await serve(["--ui"]);
    const { page, watch } = await openPlayground(url);
    await runPrompt(page, payload, { width: "2", depth: "1" });
    await page.waitForSelector('#run-view[data-state="done"], #run-view[data-state="failed"]', {
      timeout: 60_000,
    });
    await page.$$eval("details.candidate", (all) => all.forEach((d) => d.setAttribute("open", "")));
    expect(await page.textContent("#answer")).toBe(payload);
    expect(await page.textContent('.iteration[data-iteration="1"] .critique .text')).toBe(payload);
    expect(await page.textContent(".conversation")).toContain(payload);
    expect(await page.title()).toBe("TPO playground");
    expect(await page.evaluate('document.querySelectorAll("img, [onerror], [onload], iframe").length')).toBe(
      0,
    );
    expect(watch.dialogs).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(watch.blockedRequests).toEqual([]);
    expect(await watch.violations()).toEqual([]);
  });
});
