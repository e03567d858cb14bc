/**
 * `npm run test:unit` runs every test but the `*.int.test.ts` files, for a fast loop; `npm test`
 * runs them all. A test that starts a server, a subprocess or Chromium belongs in an integration
 * file, so this fails naming any other test file that does.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

/** What starts a server, a subprocess or a browser: Node's modules, and the helpers that wrap them. */
const STARTS_SOMETHING: [RegExp, string][] = [
  [/from "node:(child_process|http|https|net)"/, "imports a module that starts servers or processes"],
  [/\b(startCli|runCli)\(/, "runs the CLI in a subprocess"],
  [/\b(startStub|startSimServer|startTpoServer|startDevServer|startPostgres)\(/, "starts a server"],
  [/\bfreePort\(/, "asks for a port"],
  [/chromium/i, "starts Chromium"],
];

describe("the split of the tests into unit and integration files", () => {
  it("puts every test that starts a server, a subprocess or Chromium in a *.int.test.ts file", () => {
    const offenders: string[] = [];
    for (const name of readdirSync(join(ROOT, "tests"))) {
      if (!name.endsWith(".test.ts") || name.endsWith(".int.test.ts") || name === "test-split.test.ts")
        continue;
      const text = readFileSync(join(ROOT, "tests", name), "utf8");
      for (const [pattern, what] of STARTS_SOMETHING) {
        if (pattern.test(text))
          offenders.push(`tests/${name} ${what} (${pattern.source}): move it to a *.int.test.ts file`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("is what the scripts run: test:unit leaves out *.int.test.ts, test runs typecheck, lint and everything", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts["test:unit"]).toBe('vitest run --exclude "tests/**/*.int.test.ts"');
    expect(scripts.test).toBe("npm run typecheck && npm run lint && vitest run");
  });
});
