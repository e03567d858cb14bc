import { defineConfig } from "vitest/config";

/**
 * The tests of the run settings, for `npm run test:mutation:settings`: the settings' schemas,
 * presets and prompt fields are built when their modules load, so the main mutation run
 * (per-test coverage) cannot tell which test reads them. This run gives every mutant of
 * src/settings these tests, which pin the settings' bounds, defaults, descriptions and presets.
 */
export default defineConfig({
  test: {
    include: [
      "tests/settings-schema.test.ts",
      "tests/context-prompts.test.ts",
      "tests/reference-faithfulness.test.ts",
      "tests/stopping-rules.test.ts",
      "tests/batch-resume-check.test.ts",
      "tests/cli-flags.test.ts",
    ],
    testTimeout: 60_000,
  },
});
