import { defineConfig } from "vitest/config";
import { BIN_CLI } from "./tests/helpers/bin-build.js";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Vitest's default is one file at a time on a 2-core machine (cores - 1). Most integration tests
    // wait on servers and subprocesses they start, so three files at once use both cores and take
    // the suite in about half the time there (docs/development.md); VITEST_MAX_WORKERS overrides it.
    maxWorkers: 3,
    hookTimeout: 60_000,
    // CI also writes a JSON report, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results.json" }]] : ["default"],
    projects: [
      {
        extends: true,
        // Every test file, against the sources. tests/*.int.test.ts start servers, subprocesses or
        // Chromium: `npm run test:unit` runs this project without them (--project src --exclude),
        // for a fast loop; `npm test` (CI) runs every project. tests/test-split.test.ts checks both.
        test: { name: "src", include: ["tests/**/*.test.ts"] },
      },
      {
        extends: true,
        // Every command once more, against the bundle that `tpo` runs when installed (its global
        // setup builds the bundle first): what a bundle can break is a command's chunk, an optional
        // package it loads, a file it reads beside itself (data, pages, package.json), LangSmith
        // inside it. The hardening suites test logic that is the same in both and run in `src`
        // only. Its own include list: a CLI --exclude does not reach it.
        test: {
          name: "bin",
          include: [
            "tests/cli-run.int.test.ts",
            "tests/cli-batch.int.test.ts",
            "tests/cli-demo.int.test.ts",
            "tests/cli-report.int.test.ts",
            "tests/cli-compare.int.test.ts",
            "tests/cli-export.int.test.ts",
            "tests/cli-eval-score.int.test.ts",
            "tests/cli-cache.int.test.ts",
            "tests/cli-postgres.int.test.ts",
            "tests/cli-tracing.int.test.ts",
            "tests/cli-langsmith.int.test.ts",
            "tests/cli-first-hour.int.test.ts",
            "tests/serve-hardening.int.test.ts",
          ],
          globalSetup: ["tests/helpers/bin-build.ts"],
          env: { TPO_TEST_CLI: BIN_CLI },
        },
      },
    ],
  },
});
