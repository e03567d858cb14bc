// Mutation testing (`npm run test:mutation`, docs/development.md): StrykerJS changes the code under
// test one small edit at a time (a mutant) and runs the unit tests that cover it; a mutant that no
// test notices "survives". One folder at a time, on a shared machine:
//   nice -n 15 npm run test:mutation -- --mutate 'src/nodes/**/*.ts'
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  // The unit tests only (no servers, no bundle build): see vitest.mutation.config.ts.
  vitest: { configFile: "vitest.mutation.config.ts" },
  // Mutants that do not compile are dropped before any test runs.
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  coverageAnalysis: "perTest",
  // A mutant in code that runs when a module loads (a schema's defaults and descriptions) would
  // need every test, once per mutant: too slow here. They are left out of the score; the tests of
  // the schema (tests/settings-schema.test.ts) pin what they hold.
  ignoreStatic: true,
  // Two cores shared by several people: one test process at a time.
  concurrency: 1,
  timeoutMS: 20000,
  mutate: [
    "src/nodes/**/*.ts",
    "src/graph/**/*.ts",
    "src/settings/**/*.ts",
    "src/state/**/*.ts",
    "src/eval/batch/plan.ts",
    "src/cli/batch/shard.ts",
    "src/eval/batch/settings-check.ts",
    "src/eval/compare/judgment.ts",
    "src/eval/compare/bootstrap.ts",
    "src/server/guard.ts",
  ],
  ignorePatterns: ["bench/out", "dist", "reports", ".langgraph_api"],
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: "always",
};
