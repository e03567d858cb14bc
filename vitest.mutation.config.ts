import { defineConfig } from "vitest/config";

/**
 * The tests that mutation testing runs (`npm run test:mutation`, stryker.config.json): the unit
 * tests only, in one project, without the `bin` project's bundle build. Integration tests start
 * servers and subprocesses: too slow to run once per mutant.
 */
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: [
      "tests/**/*.int.test.ts",
      // They read the sources as text (imports, snippets), never run the mutated code.
      "tests/layers.test.ts",
      "tests/test-split.test.ts",
      "tests/doc-snippets.test.ts",
      // The simulated world's statistics over 50 queries per configuration (about a minute): a
      // mutant covered by it would cost a minute each.
      "tests/sim.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
