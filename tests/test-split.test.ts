/**
 * `npm run test:unit` runs the unit tests only, for a fast loop: no `*.int.test.ts` file, and not
 * the `bin` project (whose set-up builds the CLI bundle); `npm test` runs them all. This asks
 * vitest itself which files each script would run (its node API, with the script's own arguments
 * and the project's vitest.config.ts), and fails naming any unit test file that starts a server,
 * a subprocess or Chromium: those belong in an integration file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { configDefaults } from "vitest/config";
import { createVitest, parseCLI } from "vitest/node";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

/** What starts a server, a subprocess or a browser: Node's modules, and the helpers that wrap them. */
const STARTS_SOMETHING: [RegExp, string][] = [
  [/from "node:(child_process|http|https|net)"/, "imports a module that starts servers or processes"],
  [/\b(startCli|runCli)\(/, "runs the CLI in a subprocess"],
  [
    /\b(startStub|startSimServer|useSimServer|startTpoServer|startDevServer|startPostgres)\(/,
    "starts a server",
  ],
  [/\bfreePort\(/, "asks for a port"],
  [/chromium/i, "starts Chromium"],
];

const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};

/** A command line's words, as a shell splits a simple one (double quotes group). */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

interface Planned {
  /** Test files (relative to the root) by project. */
  byProject: Record<string, string[]>;
  files: Set<string>;
}

/** The test files that `vitest <args>` would run, by project, as vitest's node API finds them. */
async function plannedBy(command: string): Promise<Planned> {
  const [program, ...args] = words(command);
  expect(program).toBe("vitest");
  const { filter, options } = parseCLI(["vitest", ...args]);
  // As vitest's own CLI does before it starts: a CLI --exclude is kept apart from the config's.
  const { exclude, ...rest } = options as typeof options & { exclude?: string | string[] };
  const cliExclude = exclude === undefined ? undefined : [exclude].flat();
  // Vitest 4 adds a CLI --exclude to its shared default list (configDefaults.exclude): restored
  // after, or every later instance in this process would exclude those files too.
  const defaultExclude = [...configDefaults.exclude];
  const vitest = await createVitest("test", { ...rest, cliExclude, watch: false, reporters: [] }, {}, {});
  try {
    const byProject: Record<string, string[]> = {};
    for (const spec of await vitest.globTestSpecifications(filter)) {
      (byProject[spec.project.name] ??= []).push(relative(ROOT, spec.moduleId));
    }
    return { byProject, files: new Set(Object.values(byProject).flat()) };
  } finally {
    await vitest.close();
    (configDefaults.exclude as string[]).splice(0, Infinity, ...defaultExclude);
  }
}

/** The vitest command at the end of a script (`npm run typecheck && … && vitest run`). */
function vitestCommand(script: string): string {
  return script.split("&&").at(-1)!.trim();
}

function testFiles(): string[] {
  return readdirSync(join(ROOT, "tests"))
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `tests/${name}`);
}

const isIntegration = (file: string) => file.endsWith(".int.test.ts");

describe("the split of the tests into unit and integration files", () => {
  it("test:unit runs every unit test file against the sources, and no integration file nor the bundle", async () => {
    const unit = await plannedBy(scripts["test:unit"]);
    expect(Object.keys(unit.byProject)).toEqual(["src"]);
    expect([...unit.files].filter(isIntegration)).toEqual([]);
    expect([...unit.files].sort()).toEqual(testFiles().filter((file) => !isIntegration(file)));
  });

  it("test runs typecheck, lint and every test file, the CLI's also against the bundle", async () => {
    expect(scripts.test).toMatch(/^npm run typecheck && npm run lint && vitest /);
    const all = await plannedBy(vitestCommand(scripts.test));
    expect([...all.files].sort()).toEqual(testFiles());
    expect(all.byProject.bin?.length).toBeGreaterThan(0);
    expect(all.byProject.bin!.every((file) => file.startsWith("tests/cli-") || file.includes("serve"))).toBe(
      true,
    );
  });

  it("puts every test that starts a server, a subprocess or Chromium in a *.int.test.ts file", async () => {
    const offenders: string[] = [];
    for (const file of (await plannedBy(scripts["test:unit"])).files) {
      if (file === "tests/test-split.test.ts") continue;
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const [pattern, what] of STARTS_SOMETHING) {
        if (pattern.test(text))
          offenders.push(`${file} ${what} (${pattern.source}): move it to a *.int.test.ts file`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
