import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's Chromium, which .ci/run installs when missing; nothing downloads a browser. */
export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);
export const NO_CHROMIUM = `skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`;

/** What a page did that a test may want to see: console errors, uncaught errors, dialogs, requests, CSP reports. */
export interface PageWatch {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Requests to anything but `allowed` (aborted). */
  blockedRequests: string[];
  /** Content-Security-Policy violations the page reported. */
  violations(): Promise<string[]>;
}

let browser: Browser | null = null;

/** The shared headless Chromium of a test file; close it with {@link closeBrowser}. */
export async function launchBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = null;
}

/**
 * A new page that records what it did; requests to anything but URLs starting with one of
 * `allowed` are aborted and recorded (file:// pages are always allowed to load themselves).
 */
export async function watchedPage(
  allowed: string[] = [],
  viewport = { width: 1100, height: 900 },
): Promise<{ page: Page; watch: PageWatch }> {
  const context = await (await launchBrowser()).newContext({ viewport });
  const page = await context.newPage();
  const watch: PageWatch = {
    consoleErrors: [],
    pageErrors: [],
    dialogs: [],
    blockedRequests: [],
    violations: () => page.evaluate<string[]>("window.__violations ?? []"),
  };
  // In the page (a string: the tests have no DOM types): collect Content-Security-Policy reports.
  await page.addInitScript(`
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(e.violatedDirective + " " + e.blockedURI));
  `);
  page.on("console", (m) => {
    if (m.type() === "error") watch.consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => watch.pageErrors.push(e.message));
  page.on("dialog", (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file://") || allowed.some((prefix) => url.startsWith(prefix)))
      return route.continue();
    watch.blockedRequests.push(url);
    return route.abort();
  });
  return { page, watch };
}
